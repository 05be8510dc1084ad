import "server-only";
import crypto from "node:crypto";
import { AppError } from "./errors.ts";
import { recordAudit } from "./audit-trail.ts";
import { actorOf, assertCan, type Principal } from "./auth/principal.ts";
import type { Prisma } from "./db/prisma.ts";
import type { Ledger } from "./ledger/ledger.ts";
import { nowIso, randomToken } from "./ids.ts";

// Per-service ingest keys. The full key is shown once at creation and stored
// only as a SHA-256 hash: it carries 256 random bits, so a slow password hash
// would add latency without adding safety. Its public id (the part before the
// secret) locates the row; the hash comparison is constant-time.

export type IngestKeyInfo = {
  id: string;
  source: string;
  description: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

const KEY_RE = /^llk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function hashKey(key: string): string {
  return crypto.createHash("sha256").update(key).digest("hex");
}

/** Same rules as an event's requester.id: a machine identity, printable, ≤ 512 chars. */
export function checkSourceIdentity(source: string): void {
  if (!source || source.length > 512 || /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\s]/.test(source)) {
    throw new AppError("validation", "source must be 1–512 characters with no spaces or control characters, e.g. spiffe://prod/ns/payments/sa/api", {
      errors: [{ pointer: "/source", detail: "invalid source identity" }],
    });
  }
}

async function audit(ledger: Ledger, p: Principal, action: string, eventType: "write" | "delete", k: { id: string; source: string }) {
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
  checkSourceIdentity(source);
  const desc = description?.trim() ? description.trim() : null;
  if (desc && desc.length > 500) {
    throw new AppError("validation", "description must be at most 500 characters", { errors: [{ pointer: "/description", detail: "too long" }] });
  }
  const id = crypto.randomBytes(9).toString("base64url").toLowerCase().replace(/[^a-z0-9]/g, "0").slice(0, 12);
  const key = `llk_${id}_${randomToken(32)}`;
  await ledger.prisma.ingestKey.create({
    data: { id, source, secretHash: hashKey(key), description: desc, createdAt: nowIso() },
  });
  await audit(ledger, p, "ingest-key.create", "write", { id, source });
  return { id, key, source };
}

export async function revokeIngestKey(ledger: Ledger, p: Principal, id: string): Promise<IngestKeyInfo> {
  assertCan(p, "keys:manage");
  const row = await ledger.prisma.ingestKey.findUnique({ where: { id }, omit: { secretHash: true } });
  if (!row) throw new AppError("not_found", `No ingest key with id ${id}. List them with \`ledgerline keys list\`.`);
  if (row.revokedAt) return row;
  const updated = await ledger.prisma.ingestKey.update({ where: { id }, data: { revokedAt: nowIso() }, omit: { secretHash: true } });
  await audit(ledger, p, "ingest-key.revoke", "delete", row);
  return updated;
}

export async function listIngestKeys(ledger: Ledger, p: Principal): Promise<IngestKeyInfo[]> {
  assertCan(p, "keys:manage");
  return ledger.prisma.ingestKey.findMany({ orderBy: { createdAt: "asc" }, omit: { secretHash: true } });
}

const lastUsedWritten = new Map<string, number>();

/** The source bound to a valid, unrevoked key; null for anything else. */
export async function authenticateIngestKey(prisma: Prisma, key: string): Promise<{ id: string; source: string } | null> {
  const m = KEY_RE.exec(key);
  if (!m) return null;
  const row = await prisma.ingestKey.findUnique({ where: { id: m[1]! } });
  if (!row || row.revokedAt) return null;
  const a = Buffer.from(hashKey(key), "hex");
  const b = Buffer.from(row.secretHash, "hex");
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  // last_used_at is for humans; write it at most once a minute per key.
  const now = Date.now();
  if ((lastUsedWritten.get(row.id) ?? 0) < now - 60_000) {
    lastUsedWritten.set(row.id, now);
    await prisma.ingestKey.update({ where: { id: row.id }, data: { lastUsedAt: nowIso(now) } }).catch(() => undefined);
  }
  return { id: row.id, source: row.source };
}
