import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson, type EventFilter } from "@/lib/core/index.ts";
import { recordRepeatableAudit, type AuditRuntime } from "../audit/audit-repeats.ts";
import { resolveAuthSecret } from "../auth/secret.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { logHead } from "../ledger/store/entries.ts";
import { queryEvents, type EventItem } from "./query.ts";
import { EVENTS_TARGET, auditableFilter } from "./search.ts";

// The explorer's live tail (issue 15 item 8). Polling, not SSE: a poll is an
// ordinary short GET that every proxy, load balancer and corporate gateway
// passes and times out the same way; it needs no open connection per viewer on
// a server whose one writer must not starve, and the read rate limiter already
// bounds it per user. The client polls every few seconds, one request at a time,
// and stops while the tab is hidden.
//
// Auditing: starting a tail is ONE meta-audit entry (`events.tail`, with the
// filter and the seq it starts after), repeat-summarised like searches. Polls
// are not recorded one by one — they carry a tail token, an HMAC (keyed by the
// session secret) over the caller, the filter and that start seq, so a poll can
// only read entries of the recorded filter appended after the recorded start:
// what the entry says was watched is exactly what a poll can return.

export type TailStart = { tail: string; after: number };
export type TailPage = { items: EventItem[]; after: number; more: boolean };

/** Entries per poll: a burst past this arrives over the next polls (`more`). */
export const TAIL_BATCH = 100;

function tailKey(ledger: AuditRuntime): Buffer {
  return createHmac("sha256", resolveAuthSecret(ledger.config)).update("ledgerline live tail v1").digest();
}

function tailMac(ledger: AuditRuntime, p: Principal, filter: EventFilter, start: number): string {
  return createHmac("sha256", tailKey(ledger))
    .update(`${p.email}\n${start}\n${canonicalJson(filter)}`)
    .digest("base64url");
}

/**
 * Starts a live tail of `filter` after `since` (the newest entry the caller's
 * page shows, so nothing appended between that page and the toggle is missed),
 * or after the log's current head (events:read; recorded once, with the seq).
 */
export async function startTail(
  ledger: AuditRuntime,
  p: Principal | null,
  filter: EventFilter,
  since?: number,
): Promise<TailStart> {
  assertCan(p, "events:read");
  const head = await logHead(ledger.db);
  const after = since === undefined ? head : Math.min(since, head);
  await recordRepeatableAudit(ledger, actorOf(p), {
    action: "events.tail",
    eventType: "read",
    outcome: "success",
    target: { id: EVENTS_TARGET, type: "events" },
    attributes: { ...auditableFilter(filter), startAfterSeq: after },
  });
  return { tail: `${after}.${tailMac(ledger, p, filter, after)}`, after };
}

function tailStartOf(ledger: AuditRuntime, p: Principal, filter: EventFilter, token: string): number {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  const start = m ? Number(m[1]) : NaN;
  const want = m ? Buffer.from(tailMac(ledger, p, filter, start)) : null;
  if (!m || !want || !timingSafeEqual(want, Buffer.from(m[2]!)))
    throw new AppError(
      "bad_request",
      "The tail token is not one this server issued for this filter and user; start the live tail again.",
      { errors: [{ parameter: "tail", detail: "not issued for this filter" }] },
    );
  return start;
}

/** The entries of a started tail appended after `after`, oldest first (events:read; covered by the start's entry). */
export async function pollTail(
  ledger: AuditRuntime,
  p: Principal | null,
  filter: EventFilter,
  token: string,
  after: number,
): Promise<TailPage> {
  assertCan(p, "events:read");
  const start = tailStartOf(ledger, p, filter, token);
  if (after < start)
    throw new AppError("bad_request", `after must be at least ${start}, where this tail started.`, {
      errors: [{ parameter: "after", detail: `must be ≥ ${start}` }],
    });
  const from = Math.max(after + 1, filter.seqFrom ?? 0);
  const page = await queryEvents(ledger, { ...filter, seqFrom: from }, { sort: "seq", limit: TAIL_BATCH });
  return { items: page.items, after: page.items.at(-1)?.seq ?? after, more: page.nextCursor !== null };
}
