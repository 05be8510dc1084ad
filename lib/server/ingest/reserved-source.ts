import "server-only";
import { isReservedSource } from "@/lib/schemas/identifier.ts";
import { DASHBOARD_SOURCE, recordAudit } from "../audit/audit-trail.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";

// The `ledgerline:` source namespace belongs to Ledgerline's own meta-audit records
// (sign-ins, admin changes, views, exports). No ingest key can be created for it
// (identifier.ts `sourceProblems`), but a key may already be bound to it — made
// before that rule, or written into the table by someone with the database. Such a
// key is refused at use on every ingest route, and the attempt is itself recorded:
// whoever holds it tried to write entries that would pass for the server's own.

/** At most one refusal record per key per this many ms: a retrying client cannot flood the log. */
const RECORD_EVERY_MS = 10 * 60_000;
const lastRecorded = new WeakMap<Ledger, Map<string, number>>();

function dueForRecord(ledger: Ledger, keyId: string, now: number): boolean {
  let m = lastRecorded.get(ledger);
  if (!m) lastRecorded.set(ledger, (m = new Map()));
  if ((m.get(keyId) ?? -Infinity) > now - RECORD_EVERY_MS) return false;
  m.set(keyId, now);
  return true;
}

/** Throws 403 (after recording the attempt) when the authenticated key's source is reserved. */
export async function refuseReservedSource(
  ledger: Ledger,
  key: { id: string; source: string },
  req: Request,
): Promise<void> {
  if (!isReservedSource(key.source)) return;
  const route = new URL(req.url).pathname;
  console.warn(
    `[ledgerline] refused ingest key ${key.id}: bound to the reserved source ${JSON.stringify(key.source)} (${route}); revoke it`,
  );
  if (dueForRecord(ledger, key.id, Date.now())) {
    await recordAudit(
      ledger,
      { id: `ingest-key:${key.id}`, type: "service", source: DASHBOARD_SOURCE },
      {
        action: "ingest.refused-reserved-source",
        eventType: "write",
        outcome: "denied",
        target: { id: `ledgerline://ingest-keys/${key.id}`, type: "ingest-key" },
        reason:
          "an ingest key bound to a reserved ledgerline: source tried to append entries that would pass for meta-audit records",
        attributes: { source: key.source, route },
      },
    );
  }
  throw new AppError(
    "forbidden",
    `This ingest key (${key.id}) is bound to the source ${JSON.stringify(key.source)}, which is reserved for Ledgerline's own meta-audit records; nothing was stored. ` +
      "Revoke it (`ledgerline keys revoke " +
      key.id +
      "` or Admin → Ingest keys) and create a key for the sending service's own identity.",
    { title: "Reserved source" },
  );
}
