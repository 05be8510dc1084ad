import { z } from "zod";

// Path and query parameters of /api/v1 (and the ids pages take from their
// URL), as zod schemas: route handlers parse with these, never with inline
// regexes. Values arrive as strings; a schema refuses what it cannot use.

/** A decimal integer ≥ min, at most 15 digits (so always a safe integer). */
export function decimalIntSchema(min: number) {
  return z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .refine((n) => n >= min);
}

/** An entry's seq: a positive integer. */
export const seqSchema = decimalIntSchema(1);

/** A UUID as the server issues them (bundle ids, lowercase hex). */
export const uuidSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** A verification run id: 36 hex digits and dashes, any case. */
export const runIdSchema = z.string().regex(/^[0-9a-f-]{36}$/i);

/** POST /api/v1/integrity/acknowledgements: which deleted checkpoints an admin acknowledges, and why. */
export const acknowledgeDeletedSchema = z
  .object({
    treeSizes: z.array(z.number().int().positive()).min(1, "name at least one deleted checkpoint").max(1000),
    reason: z.string().trim().min(1, "say why the deletion is acceptable (it is recorded in the log)").max(1000),
  })
  .strict();
