import { z } from "zod";
import { eventFilterSchema } from "./event-filter.ts";

// Alert rules as an admin writes them (API, CLI, /alerts page): the explorer's filter
// (one definition, lib/core/event-filter.ts), one condition, the channels to deliver to.
// docs/alerts.md describes each condition and what it reads.

const minutes = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a whole number of minutes` })
    .int(`${what} must be a whole number of minutes`)
    .min(10, `${what} must be at least 10 minutes`)
    .max(max, `${what} must be at most ${max} minutes`)
    // The rollups count per 10-minute bucket: a window is a whole number of buckets.
    .refine((m) => m % 10 === 0, `${what} must be a multiple of 10 minutes (the rollup's bucket)`);

export const alertConditionSchema = z.discriminatedUnion(
  "kind",
  [
    /** Entries matching the filter in the window ≥ threshold. */
    z.strictObject({
      kind: z.literal("count"),
      windowMinutes: minutes("windowMinutes", 7 * 24 * 60),
      threshold: z.number().int().min(1, "threshold must be at least 1"),
    }),
    /** The window's count ≥ factor × the mean of the same window on each of the last `days` days, and ≥ minCount. */
    z.strictObject({
      kind: z.literal("baseline"),
      windowMinutes: minutes("windowMinutes", 24 * 60).default(60),
      factor: z.number().min(1, "factor must be at least 1").max(1000).default(3),
      minCount: z.number().int().min(1, "minCount must be at least 1").default(10),
      days: z.number().int().min(1).max(28, "days must be at most 28").default(7),
    }),
    /** A source (the filter's, else every active ingest key's) appended nothing for `minutes`. */
    z.strictObject({
      kind: z.literal("silent"),
      minutes: z
        .number()
        .int()
        .min(1, "minutes must be at least 1")
        .max(7 * 24 * 60),
    }),
    /** A verification failure or a witness alert was logged (ledgerline:verifier / ledgerline:cosigner). */
    z.strictObject({ kind: z.literal("integrity") }),
  ],
  { error: "condition.kind must be count, baseline, silent or integrity" },
);
export type AlertCondition = z.infer<typeof alertConditionSchema>;

const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).max(2000);

export const alertChannelSchema = z.discriminatedUnion(
  "kind",
  [
    /** JSON POST signed with the log's key (lib/core/webhook-signature.ts). */
    z.strictObject({ kind: z.literal("webhook"), url: httpUrl }),
    /** Slack-compatible incoming webhook: {"text", "blocks"}. */
    z.strictObject({ kind: z.literal("slack"), url: httpUrl }),
    /** RFC 5424 over TCP or TLS, octet-counted (the SIEM transport). */
    z.strictObject({
      kind: z.literal("syslog"),
      address: z.string().regex(/^[^\s:/]+:\d{1,5}$|^\[[^\]]+\]:\d{1,5}$/, "must be host:port"),
      tls: z.boolean().default(false),
      ca: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "a PEM certificate" }).optional(),
    }),
    /** Email through the SMTP relay of LEDGERLINE_SMTP_URL. */
    z.strictObject({
      kind: z.literal("email"),
      to: z.array(z.email("must be email addresses")).min(1, "needs at least one address").max(20),
    }),
  ],
  { error: "channel.kind must be webhook, slack, syslog or email" },
);
export type AlertChannel = z.infer<typeof alertChannelSchema>;

export const alertRuleNameSchema = z
  .string({ error: "name must be a string" })
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "name must be 1–63 characters: lower-case letters, digits, '.', '_' or '-'");

export const alertRuleInputSchema = z.strictObject({
  name: alertRuleNameSchema,
  filter: eventFilterSchema.default({}),
  condition: alertConditionSchema,
  channels: z.array(alertChannelSchema).max(10, "at most 10 channels").default([]),
  enabled: z.boolean().default(true),
});
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;

export const ALERT_STATES = ["firing", "acknowledged", "resolved"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** A person's note with an acknowledgement or a resolution (kept in the log entry). */
export const alertNoteSchema = z.strictObject({
  comment: z.string().max(1000, "comment must be at most 1000 characters").optional(),
});
