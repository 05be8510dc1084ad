import "./zod-browser.ts";
import { z } from "zod";

// Saved views (issue 15 item 7): a named explorer query and the table's visible
// columns. Shared by the API (/api/v1/views), the server actions and the
// explorer's "Save view" form, so every entry point refuses the same input with
// the same words.

/** Every column of the explorer's table (components/events/events-columns.tsx; a unit test keeps them equal). */
export const EXPLORER_COLUMNS = [
  "seq",
  "ts",
  "eventType",
  "outcome",
  "requester",
  "requesterType",
  "target",
  "service",
  "action",
  "source",
  "correlationId",
  "id",
  "leafHash",
  "reason",
] as const;

export const VIEW_NAME_MAX = 80;
/** The explorer query of a view: long enough for every filter field at a useful length, small enough to list. */
export const VIEW_QUERY_MAX = 4096;

const nameSchema = z
  .string({ error: "is required" })
  .trim()
  .min(1, "must not be empty")
  .max(VIEW_NAME_MAX, `must be at most ${VIEW_NAME_MAX} characters`)
  // Control characters would make a name that looks like another in the list.
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters");

const columnsSchema = z
  .array(z.string(), { error: "must be a list of column ids" })
  .min(1, "must name at least one column")
  .max(EXPLORER_COLUMNS.length)
  .superRefine((cols, ctx) => {
    const unknown = cols.filter((c) => !(EXPLORER_COLUMNS as readonly string[]).includes(c));
    if (unknown.length)
      ctx.addIssue({
        code: "custom",
        message: `has unknown column ${JSON.stringify(unknown[0])} (known: ${EXPLORER_COLUMNS.join(", ")})`,
      });
  })
  .transform((cols) => EXPLORER_COLUMNS.filter((c) => cols.includes(c)));

/** POST /api/v1/views and the "Save view" form. `query` is the explorer's URL (or its query string). */
export const createViewSchema = z
  .object({
    name: nameSchema,
    query: z
      .string({ error: "is required (the explorer's URL or its query string)" })
      .max(VIEW_QUERY_MAX, `must be at most ${VIEW_QUERY_MAX} characters`),
    columns: columnsSchema,
    shared: z.boolean({ error: "must be true or false" }).default(false),
  })
  .strict();

/** PATCH /api/v1/views/{id}: rename and/or share/unshare. */
export const updateViewSchema = z
  .object({ name: nameSchema.optional(), shared: z.boolean({ error: "must be true or false" }).optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.shared !== undefined, "give a new name or shared: true/false");

/** The first problem of a failed parse as one sentence: "name must not be empty". */
export function viewInputProblem(error: z.ZodError): string {
  const i = error.issues[0]!;
  const field = i.path.length ? i.path.join(".") : "body";
  if (i.code === "unrecognized_keys")
    return `unknown field ${JSON.stringify(i.keys[0])} (fields: name, query, columns, shared)`;
  return `${field} ${i.message}`;
}
