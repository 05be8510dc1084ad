import "server-only";
import { AppError } from "../errors.ts";
import { authenticateIngestKey } from "./ingest-keys.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { assertNotBusy, coveredBy, enterIngest, withAdmission, type IngestRuntime } from "./admission.ts";
import { bearerToken } from "../auth/bearer-secrets.ts";
import { refuseReservedSource } from "./reserved-source.ts";
import { personalPointersFor } from "../retention/personal-store.ts";

// POST /api/v1/events, minus HTTP plumbing: authenticate, bound, prepare the
// body in a worker thread (scan, validate every item, canonical parts), then
// hand the whole batch to the sequencer (group commit). A batch is
// all-or-nothing: any invalid or conflicting item means nothing is stored.

export type IngestResponse = {
  status: 200 | 201;
  body: {
    accepted: Array<{ id: string; seq: number; leafHash: string }>;
    duplicates: Array<{ id: string; seq: number }>;
    /** When a signed checkpoint will include these entries at the latest (the next scheduled one). */
    coveredBy: string;
    /** LEDGERLINE_CHECKPOINT_INTERVAL: seconds between checkpoints while the log grows. */
    checkpointInterval: number;
  };
};

/** Reads the raw body bytes, refusing them once they pass `limit` bytes (Next.js route handlers set no limit). */
export async function readBodyBytesLimited(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError("payload_too_large", `The request body exceeds ${limit} bytes; split it into smaller batches.`, {
      limit,
    });
  const declared = req.headers.get("content-length");
  if (declared && Number(declared) > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.byteLength;
  }
  return bytes;
}

/** Reads the body as UTF-8 text, refusing it once it passes `limit` bytes. */
export async function readBodyLimited(req: Request, limit: number): Promise<string> {
  const bytes = await readBodyBytesLimited(req, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "The request body is not valid UTF-8.");
  }
}

/** The ingest key in `Authorization: Bearer …`, or 401. Shared by every ingest route. */
export async function authenticateRequest(ledger: Ledger, req: Request): Promise<{ id: string; source: string }> {
  const token = bearerToken(req);
  if (!token) throw new AppError("unauthorized", "Send an ingest key as `Authorization: Bearer <key>`.");
  const key = await authenticateIngestKey(ledger.db, token);
  if (!key)
    throw new AppError(
      "unauthorized",
      "The ingest key is unknown or revoked. Ask an admin for a new one (`ledgerline keys create`).",
    );
  await refuseReservedSource(ledger, key, req);
  return key;
}

/**
 * Takes `n` events' worth of the key's rate (one process-wide bucket per key,
 * shared by every ingest route), or throws 429 with Retry-After.
 */
export function takeRate(rt: IngestRuntime, keyId: string, n: number): void {
  const r = rt.ingest.limiter.take(keyId, n);
  if (!r.ok) throw rateLimited(r.retryAfter);
}

export async function ingest(rt: IngestRuntime, req: Request): Promise<IngestResponse> {
  // Counted from the first moment: under overload the wait starts at the key lookup.
  const release = enterIngest(rt);
  try {
    return await ingestAs(rt, req);
  } finally {
    release();
  }
}

async function ingestAs(ledger: IngestRuntime, req: Request): Promise<IngestResponse> {
  const key = await authenticateRequest(ledger, req);
  // One token before reading the body (an exhausted key is refused cheaply),
  // the rest once the item count is known.
  const rl = ledger.ingest.limiter;
  const pre = rl.take(key.id, 1);
  if (!pre.ok) throw rateLimited(pre.retryAfter);
  assertNotBusy(ledger);

  // Scan, validation and canonical JSON run in a worker thread (lib/server/workers).
  const body = await readBodyBytesLimited(req, ledger.config.maxBodyBytes);
  const prepared = await ledger.workers.prepare({
    body,
    contentType: req.headers.get("content-type"),
    traceparent: req.headers.get("traceparent"),
    now: Date.now(),
    maxItems: ledger.config.maxBatch,
    personal: await personalPointersFor(ledger.db, key.source),
  });
  if (!prepared.ok) {
    throw new AppError(prepared.code, prepared.detail, {
      ...(prepared.title ? { title: prepared.title } : {}),
      ...(prepared.errors ? { errors: prepared.errors } : {}),
    });
  }
  const { events, single } = prepared;

  const taken = events.length > 1 ? rl.take(key.id, events.length - 1) : pre;
  if (!taken.ok) throw rateLimited(taken.retryAfter);

  const result = await withAdmission(ledger, events.length, () => ledger.sequencer.appendPrepared(key.source, events));
  if (!result.ok) {
    throw new AppError(
      "conflict",
      single
        ? `Event id "${result.conflicts[0]!.id}" is already stored for this source (seq ${result.conflicts[0]!.seq}) with different content; nothing was stored.`
        : `${result.conflicts.length} event id(s) are already stored for this source with different content; nothing of this batch was stored.`,
      {
        errors: result.conflicts.map((c) => ({
          ...(single ? {} : { index: c.index }),
          pointer: single ? "/id" : `/${c.index}/id`,
          detail: `id "${c.id}" is stored as seq ${c.seq} with different content`,
          seq: c.seq,
        })),
      },
    );
  }
  const accepted = result.items.flatMap((i) =>
    i.status === "accepted" ? [{ id: i.id, seq: i.seq, leafHash: i.leafHash }] : [],
  );
  const duplicates = result.items.flatMap((i) => (i.status === "duplicate" ? [{ id: i.id, seq: i.seq }] : []));
  const covered = { coveredBy: coveredBy(ledger), checkpointInterval: ledger.config.checkpointIntervalMs / 1000 };
  return { status: accepted.length ? 201 : 200, body: { accepted, duplicates, ...covered } };
}

export function rateLimited(retryAfter: number): AppError {
  return new AppError(
    "rate_limited",
    `This ingest key is over its rate; retry in ${retryAfter} s. Nothing was stored.`,
    {
      retryAfter,
    },
  );
}
