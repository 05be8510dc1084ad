import { z } from "zod";
import { SIEM_FORMATS, SIEM_KINDS } from "@/lib/core/siem/wire.ts";

// A SIEM destination as an admin creates it (API, CLI, admin page): one schema, so each
// entry point refuses the same bad input with the same message.

/** The admin page's add-destination form as it is sent to the server action: text fields, parsed there. */
export type DestinationFormInput = {
  name: string;
  kind: string;
  format: string;
  url: string;
  secret: string;
  options: string;
  start: string;
};

const HTTP_KINDS = new Set(["splunk-hec", "elastic-bulk", "https-ndjson"]);

export const siemOptionsSchema = z.strictObject({
  index: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, "lower-case letters, digits, _ . - (Splunk/Elastic index)")
    .optional(),
  sourcetype: z.string().min(1).max(100).optional(),
  host: z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "printable ASCII without spaces (RFC 5424 HOSTNAME)")
    .optional(),
  pen: z
    .number()
    .int()
    .positive()
    .max(2 ** 31)
    .optional(),
  ca: z
    .string()
    .includes("-----BEGIN CERTIFICATE-----", { message: "a PEM certificate" })
    .max(64 * 1024)
    .optional(),
  batch: z.number().int().min(1).max(5000).optional(),
});

export const siemDestinationInputSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "1–63 lower-case letters, digits and dashes, e.g. splunk-prod"),
    kind: z.enum(SIEM_KINDS),
    format: z.enum(SIEM_FORMATS).default("native"),
    url: z.string().min(1).max(2048),
    secret: z.string().min(1).max(4096).optional(),
    options: siemOptionsSchema.default({}),
    /** Where the stream starts: the first entry ("beginning"), the next one ("now"), or after a seq. */
    startAfterSeq: z.union([z.literal("beginning"), z.literal("now"), z.number().int().min(0)]).default("beginning"),
  })
  .superRefine((d, ctx) => {
    if (HTTP_KINDS.has(d.kind)) {
      let u: URL | null = null;
      try {
        u = new URL(d.url);
      } catch {
        // reported below
      }
      if (!u || (u.protocol !== "https:" && u.protocol !== "http:"))
        ctx.addIssue({ code: "custom", path: ["url"], message: `${d.kind} needs an http(s):// URL` });
    } else if (!/^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/\s]+):\d{1,5}\/?$/.test(d.url)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: `${d.kind} needs host:port, e.g. siem.example:6514` });
    }
    if (d.kind === "splunk-hec" && !d.secret)
      ctx.addIssue({ code: "custom", path: ["secret"], message: "Splunk HEC needs its token as the secret" });
  });

export type SiemDestinationInput = z.input<typeof siemDestinationInputSchema>;

export const siemReplaySchema = z.strictObject({ fromSeq: z.number().int().min(1) });
