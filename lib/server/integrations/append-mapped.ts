import "server-only";
import { withAdmission, type IngestRuntime } from "../ingest/admission.ts";
import { personalPointersFor } from "../retention/personal-store.ts";
import { validateEvent, type FieldError, type NormalizedEvent } from "@/lib/schemas/event.ts";

// Appending events mapped from a foreign format. Unlike POST /api/v1/events (all or
// nothing — the sender can fix and resend), an exporter cannot fix one bad record, so here
// each item stands alone: invalid items are reported, the rest are stored. The sequencer
// appends a batch atomically and aborts it on an id conflict, so conflicting items are taken
// out and the rest appended again; large requests go in chunks of LEDGERLINE_MAX_BATCH. If
// the store fails midway, the request fails (503) with earlier chunks committed — the
// sender's retry maps to the same deterministic ids, so those come back as duplicates.

export type ItemOutcome =
  | { status: "accepted"; id: string; seq: number }
  | { status: "duplicate"; id: string; seq: number }
  | { status: "invalid"; errors: FieldError[] }
  | { status: "conflict"; id: string; seq: number };

/** Validates each raw event (SPEC §1 rules) and appends the valid ones for `source`; one outcome per input, in order. */
export async function appendMapped(
  ledger: IngestRuntime,
  source: string,
  raws: unknown[],
  opts: { traceparent?: string | null; defaultPersonal?: string[] } = {},
): Promise<ItemOutcome[]> {
  // Personal fields: the source's declarations plus the integration's defaults (k8s usernames).
  const personal = [...(opts.defaultPersonal ?? []), ...(await personalPointersFor(ledger.db, source))];
  const now = new Date();
  const out: ItemOutcome[] = new Array(raws.length);
  const valid: Array<{ index: number; event: NormalizedEvent }> = [];
  raws.forEach((raw, index) => {
    const r = validateEvent(raw, { traceparent: opts.traceparent ?? null, now });
    if (r.ok) valid.push({ index, event: r.event });
    else out[index] = { status: "invalid", errors: r.errors };
  });
  const chunkSize = Math.max(1, ledger.config.maxBatch);
  for (let c = 0; c < valid.length; c += chunkSize) {
    let chunk = valid.slice(c, c + chunkSize);
    while (chunk.length) {
      const events = chunk.map((v) => v.event);
      const r = await withAdmission(ledger, events.length, () => ledger.sequencer.append(source, events, personal));
      if (r.ok) {
        r.items.forEach((item, k) => {
          out[chunk[k]!.index] = { status: item.status, id: item.id, seq: item.seq };
        });
        break;
      }
      const bad = new Set(r.conflicts.map((x) => x.index));
      for (const x of r.conflicts) out[chunk[x.index]!.index] = { status: "conflict", id: x.id, seq: x.seq };
      chunk = chunk.filter((_, k) => !bad.has(k));
    }
  }
  return out;
}

/** One line per problem of an item, for humans: "/requester/id must be a string". */
export function describeOutcome(o: ItemOutcome): string {
  if (o.status === "invalid") return o.errors.map((e) => `${e.pointer || "(event)"} ${e.detail}`).join("; ");
  if (o.status === "conflict") return `id "${o.id}" is already stored as seq ${o.seq} with different content`;
  return "";
}
