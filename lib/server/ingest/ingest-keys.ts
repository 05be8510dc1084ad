import "server-only";
import { AppError } from "../errors.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import type { SqlDriver } from "../db/driver.ts";
import type { Prisma } from "../db/prisma.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { bearerSecretId, dueForLastUsed, newBearerSecret, secretMatches } from "../auth/bearer-secrets.ts";
import { nowIso } from "../db/ids.ts";
import { isReservedSource, sourceProblems } from "@/lib/schemas/identifier.ts";

// Per-service ingest keys (`llk_…`, see bearer-secrets.ts): shown once at
// creation, stored only as a hash, bound to one source identity.

export type IngestKeyInfo = {
  id: string;
  source: string;
  description: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Bound to the reserved `ledgerline:` namespace (made before that rule): refused at use, revoke it. */
  reservedSource: boolean;
};

type KeyRow = Omit<IngestKeyInfo, "reservedSource">;
const info = (r: KeyRow): IngestKeyInfo => ({
  id: r.id,
  source: r.source,
  description: r.description,
  createdAt: r.createdAt,
  revokedAt: r.revokedAt,
  lastUsedAt: r.lastUsedAt,
  reservedSource: isReservedSource(r.source),
});

/**
 * The identifier rule (lib/schemas/identifier.ts: code points, no invisible, format
 * or control characters, no lone surrogates), no spaces, and never in the reserved
 * `ledgerline:` namespace — entries under it would pass for the meta-audit records.
 */
export function checkSourceIdentity(source: string): void {
  const problems = sourceProblems(source);
  if (problems.length) {
    throw new AppError(
      "validation",
      `source ${problems.join("; ")}. A source is the sending service's machine identity, e.g. spiffe://prod/ns/payments/sa/api.`,
      { title: "Invalid source identity", errors: problems.map((detail) => ({ pointer: "/source", detail })) },
    );
  }
}

async function audit(
  ledger: Ledger,
  p: Principal,
  action: string,
  eventType: "write" | "delete",
  k: { id: string; source: string },
) {
  await recordAudit(ledger, actorOf(p), {
    action,
    eventType,
    outcome: "success",
    target: { id: `ledgerline://ingest-keys/${k.id}`, type: "ingest-key" },
    attributes: { source: k.source },
  });
}

export async function createIngestKey(
  ledger: Ledger,
  p: Principal,
  source: string,
  description?: string,
): Promise<{ id: string; key: string; source: string }> {
  assertCan(p, "keys:manage");
  if (isReservedSource(source)) {
    // An attempt to mint entries that would pass for the meta-audit is itself worth an entry.
    await recordAudit(ledger, actorOf(p), {
      action: "ingest-key.create",
      eventType: "write",
      outcome: "denied",
      target: { id: "ledgerline://ingest-keys", type: "ingest-key" },
      reason: "the ledgerline: source namespace is reserved for Ledgerline's own meta-audit records",
      // JSON-escaped, so whatever was typed (controls, lone surrogates) cannot stop the record.
      attributes: { source: [...JSON.stringify(source)].slice(0, 600).join("") },
    });
  }
  checkSourceIdentity(source);
  const desc = description?.trim() ? description.trim() : null;
  if (desc && desc.length > 500) {
    throw new AppError("validation", "description must be at most 500 characters", {
      errors: [{ pointer: "/description", detail: "too long" }],
    });
  }
  const { id, secret: key, hash } = newBearerSecret("llk");
  await ledger.prisma.ingestKey.create({
    data: { id, source, secretHash: hash, description: desc, createdAt: nowIso() },
  });
  await audit(ledger, p, "ingest-key.create", "write", { id, source });
  return { id, key, source };
}

export async function revokeIngestKey(ledger: Ledger, p: Principal, id: string): Promise<IngestKeyInfo> {
  assertCan(p, "keys:manage");
  const row = await ledger.prisma.ingestKey.findUnique({ where: { id }, omit: { secretHash: true } });
  if (!row) throw new AppError("not_found", `No ingest key with id ${id}. List them with \`ledgerline keys list\`.`);
  if (row.revokedAt) return info(row);
  const updated = await ledger.prisma.ingestKey.update({
    where: { id },
    data: { revokedAt: nowIso() },
    omit: { secretHash: true },
  });
  await audit(ledger, p, "ingest-key.revoke", "delete", row);
  return info(updated);
}

export async function listIngestKeys(ledger: Ledger, p: Principal): Promise<IngestKeyInfo[]> {
  assertCan(p, "keys:manage");
  const rows = await ledger.prisma.ingestKey.findMany({ orderBy: { createdAt: "asc" }, omit: { secretHash: true } });
  return rows.map(info);
}

/**
 * The source bound to a valid, unrevoked key; null for anything else. Read through the SQL layer,
 * not Prisma: it runs on every ingest request, and a Prisma query (compile, prepare, map) cost
 * about as much main-thread time as the rest of a single-event request (docs/performance.md).
 * Still one read per request, so a revocation takes effect on the next request, on every instance.
 */
export async function authenticateIngestKey(
  db: SqlDriver,
  key: string,
): Promise<{ id: string; source: string } | null> {
  const id = bearerSecretId("llk", key);
  if (!id) return null;
  const row = await db.get<{ id: string; source: string; secret_hash: string; revoked_at: string | null }>(
    "SELECT id, source, secret_hash, revoked_at FROM ingest_keys WHERE id = ?",
    [id],
  );
  if (!row || row.revoked_at || !secretMatches(key, row.secret_hash)) return null;
  if (dueForLastUsed(row.id)) {
    // Through the writer (its own connection, serialised with the sequencer): a write on the
    // reader connection while a group commit holds the SQLite lock would block the thread.
    await db
      .writeTransaction((tx) => tx.run("UPDATE ingest_keys SET last_used_at = ? WHERE id = ?", [nowIso(), row.id]))
      .catch(() => undefined);
  }
  return { id: row.id, source: row.source };
}

/** Unrevoked keys bound to the reserved `ledgerline:` namespace, for the start-up warning. */
export async function activeReservedSourceKeys(prisma: Prisma): Promise<Array<{ id: string; source: string }>> {
  const rows = await prisma.ingestKey.findMany({
    where: { revokedAt: null },
    select: { id: true, source: true },
  });
  return rows.filter((r) => isReservedSource(r.source));
}
