import { z } from "zod";
import { eventFilterSchema } from "./event-filter.ts";

// Retention policies and legal holds (docs/retention.md). The filter is the
// explorer's (one definition: lib/core/event-filter.ts, compiled to SQL by
// lib/server/events/filter-sql.ts), so "what a policy covers" is what the
// explorer shows for the same filter.

/** PCI DSS 10.5.1: audit history is kept at least 12 months. Shorter needs an explicit acknowledgement. */
export const PCI_MIN_DAYS = 365;
/** A century: longer is "forever", which is `days: null`. */
export const MAX_RETENTION_DAYS = 36_500;
export const DEFAULT_POLICY = "default";

export const policyNameSchema = z
  .string({ error: "must be a string" })
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be 1–63 characters: lower-case letters, digits, '.', '_' or '-'");

export const retentionPolicyInputSchema = z
  .strictObject({
    filter: eventFilterSchema.default({}),
    /** Days after the entry's claimed time; null keeps for ever. */
    days: z
      .number({ error: "must be a whole number of days or null (keep for ever)" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(MAX_RETENTION_DAYS, `must be at most ${MAX_RETENTION_DAYS} days; use null to keep for ever`)
      .nullable(),
    /** Archive before pruning: monthly signed bundles into LEDGERLINE_ARCHIVE_DIR first (docs/retention.md). */
    archive: z.boolean({ error: "must be true or false" }).optional(),
    /** Required (true) for a duration under PCI_MIN_DAYS; recorded in the meta-audit entry. */
    belowPciAcknowledged: z.boolean({ error: "must be true or false" }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.days !== null && p.days < PCI_MIN_DAYS && p.belowPciAcknowledged !== true) {
      ctx.addIssue({
        code: "custom",
        path: ["days"],
        message: `${p.days} days is below the ${PCI_MIN_DAYS} days PCI DSS 10.5.1 requires; set belowPciAcknowledged (CLI: --i-know-this-is-below-pci) if no PCI scope applies to these entries`,
      });
    }
  });

export const legalHoldInputSchema = z.strictObject({
  filter: eventFilterSchema,
  reason: z.string({ error: "must be a string" }).trim().min(3, "must say why (at least 3 characters)").max(1000),
  caseRef: z.string({ error: "must be a string" }).trim().min(1, "must name the case or matter").max(200),
});

export const holdIdSchema = z.string().regex(/^hold_[A-Za-z0-9_-]{8,40}$/, "is not a legal hold id (hold_…)");
