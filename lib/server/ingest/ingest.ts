import "server-only";
import { parseIngestBody } from "@/lib/server/ingest/parse/parse-body.ts";
import { validateEvent, type NormalizedEvent, type ValidateEventResult } from "@/lib/schemas/event.ts";
import { AppError } from "../errors.ts";
import { authenticateIngestKey } from "./ingest-keys.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { assertNotBusy, coveredBy, enterIngest, withAdmission, type IngestRuntime } from "./admission.ts";
import { bearerToken } from "../auth/bearer-secrets.ts";
import { refuseReservedSource } from "./reserved-source.ts";

// POST /api/v1/events, minus HTTP plumbing: authenticate, bound, parse,
// validate every item, then hand the whole batch to the sequencer. A batch is
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
  const key = await authenticateIngestKey(ledger.prisma, token);
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

  const text = await readBodyLimited(req, ledger.config.maxBodyBytes);
  const parsed = parseIngestBody(text, req.headers.get("content-type"), { maxItems: ledger.config.maxBatch });
  if (!parsed.ok) {
    throw new AppError(parsed.status === 415 ? "unsupported_media_type" : "bad_request", parsed.detail, {
      title: parsed.title,
      ...(parsed.errors ? { errors: parsed.errors } : {}),
    });
  }

  const taken = parsed.items.length > 1 ? rl.take(key.id, parsed.items.length - 1) : pre;
  if (!taken.ok) throw rateLimited(taken.retryAfter);

  const traceparent = req.headers.get("traceparent");
  const now = new Date();
  const events: NormalizedEvent[] = [];
  const errors: Array<Record<string, unknown>> = [];
  parsed.items.forEach((item, index) => {
    const r = withInexactNumbers(
      validateEvent(item, { traceparent, now }),
      parsed.inexactNumbers.filter((n) => n.index === index),
    );
    if (r.ok) events.push(r.event);
    else {
      for (const e of r.errors) {
        errors.push(
          parsed.kind === "single"
            ? { pointer: e.pointer, detail: e.detail }
            : {
                index,
                ...(parsed.kind === "ndjson" ? { line: parsed.lines?.[index] } : {}),
                pointer: `/${index}${e.pointer}`,
                detail: e.detail,
              },
        );
      }
    }
  });
  if (errors.length) {
    const bad = new Set(errors.map((e) => e.index)).size;
    throw new AppError(
      "validation",
      parsed.kind === "single"
        ? `The event has ${errors.length} invalid field(s); nothing was stored.`
        : `${bad} of ${parsed.items.length} events are invalid; nothing of this batch was stored.`,
      { errors },
    );
  }

  const result = await withAdmission(ledger, events.length, () => ledger.sequencer.append(key.source, events));
  if (!result.ok) {
    throw new AppError(
      "conflict",
      parsed.kind === "single"
        ? `Event id "${result.conflicts[0]!.id}" is already stored for this source (seq ${result.conflicts[0]!.seq}) with different content; nothing was stored.`
        : `${result.conflicts.length} event id(s) are already stored for this source with different content; nothing of this batch was stored.`,
      {
        errors: result.conflicts.map((c) => ({
          ...(parsed.kind === "single" ? {} : { index: c.index }),
          pointer: parsed.kind === "single" ? "/id" : `/${c.index}/id`,
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

/**
 * Adds the numbers JSON.parse rounded (found by the body scan) to an item's field
 * errors: such an item is refused, never stored altered. A pointer the validator
 * already refused keeps the validator's words only.
 */
function withInexactNumbers(
  r: ValidateEventResult,
  inexact: Array<{ pointer: string; detail: string }>,
): ValidateEventResult {
  if (inexact.length === 0) return r;
  const errors = r.ok ? [] : [...r.errors];
  const reported = new Set(errors.map((e) => e.pointer));
  for (const n of inexact) if (!reported.has(n.pointer)) errors.push({ pointer: n.pointer, detail: n.detail });
  return errors.length ? { ok: false, errors } : r;
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
