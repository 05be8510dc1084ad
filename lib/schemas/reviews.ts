import "./zod-browser.ts";
import { z } from "zod";
import { REVIEW_FREQUENCIES } from "@/lib/core/review-period.ts";

// Review schedules and sign-offs (docs/reviews.md): shared by the API, the server actions,
// the CLI and the forms, so every entry point refuses the same input with the same words.

export const REVIEW_NAME_MAX = 120;
export const REVIEW_COMMENT_MAX = 1000;

/** POST /api/v1/reviews/schedules. `cron` only with frequency "cron"; the zone is an IANA name. */
export const reviewScheduleSchema = z
  .object({
    viewId: z.string({ error: "is required (the saved view to review)" }).max(64),
    name: z.string().trim().min(1, "must not be empty").max(REVIEW_NAME_MAX).optional(),
    frequency: z.enum(REVIEW_FREQUENCIES, { error: `must be one of ${REVIEW_FREQUENCIES.join(", ")}` }),
    cron: z.string().max(120).optional(),
    timeZone: z.string({ error: "is required (an IANA zone, e.g. Europe/Berlin or UTC)" }).max(64),
  })
  .strict()
  .refine((v) => (v.frequency === "cron") === (v.cron !== undefined), {
    message: 'is needed with frequency "cron", and only then',
    path: ["cron"],
  });

/** POST /api/v1/reviews/packs/{id}/signoff: what the reviewer looked at and concluded. */
export const reviewSignoffSchema = z
  .object({
    comment: z
      .string({ error: "is required: say what you reviewed and what you found" })
      .trim()
      .min(3, "must say what you reviewed and what you found")
      .max(REVIEW_COMMENT_MAX, `must be at most ${REVIEW_COMMENT_MAX} characters`)
      .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), "must not contain control characters"),
  })
  .strict();

/** The first problem of a failed parse as one sentence. */
export function reviewsInputProblem(error: z.ZodError): string {
  const i = error.issues[0]!;
  const field = i.path.length ? i.path.join(".") : "body";
  if (i.code === "unrecognized_keys") return `unknown field ${JSON.stringify(i.keys[0])}`;
  return `${field} ${i.message}`;
}
