import "server-only";
import { normalizeFilter, type EventFilter } from "@/lib/core/index.ts";
import { csvHeader, csvLine } from "@/lib/core/bundle/format.ts";
import { EXPORT_FORMATS, EXPORT_LIMIT, type Sort } from "@/lib/schemas/event-filter.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { logHead } from "../ledger/store/entries.ts";
import { queryEvents, queryHistogram, type EventItem } from "./query.ts";
import { auditableFilter, EVENTS_TARGET } from "./search.ts";

// "Export the current results" (issue 15 item 7): the explorer's filter as a CSV
// or NDJSON download, for every role that may read. Not evidence — nothing here is
// signed — so it is bounded: past EXPORT_LIMIT entries the answer points to a
// signed evidence bundle, which has no such limit and can be verified offline.

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Entries read per keyset page while streaming: the export never holds more than this in memory. */
const PAGE = 1000;

export type EventExport = {
  /** Entries the export will hold (the explorer's count when the log does not grow meanwhile). */
  count: number;
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
};

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
};

function tooMany(count: number, limit: number): AppError {
  return new AppError(
    "bad_request",
    `The filter matches ${count.toLocaleString("en-US")} entries; an export holds at most ${limit.toLocaleString("en-US")}. ` +
      "Narrow the filter (a shorter time range, an outcome, a service), or create a signed evidence bundle " +
      "(Export evidence bundle, POST /api/v1/bundles), which has no such limit and can be verified offline.",
    { title: "Too many entries to export", count, limit, errors: [{ parameter: "filter", detail: "too broad" }] },
  );
}

/**
 * The filter's entries as a download: checks events:read, counts (the explorer's
 * number), refuses past `limit`, records the export in the log (fail closed), then
 * streams keyset pages. The entries are those up to the log's head when the export
 * started, so its own audit record and later appends never slip in.
 */
export async function exportEvents(
  ledger: Ledger,
  p: Principal | null,
  filter: EventFilter,
  opts: { format: ExportFormat; sort: Sort; limit?: number },
): Promise<EventExport> {
  assertCan(p, "events:read");
  const limit = opts.limit ?? EXPORT_LIMIT;
  const head = await logHead(ledger.db);
  const pinned = normalizeFilter({ ...filter, seqTo: Math.min(filter.seqTo ?? head, head) });
  // Counted as the explorer counts (the rollup, not the pinned filter, which no index
  // covers at 10 M entries); the stream below is bounded by `limit` whatever happens.
  const count = head === 0 ? 0 : (await queryHistogram(ledger, filter)).total;
  if (count > limit) throw tooMany(count, limit);
  await recordAudit(ledger, actorOf(p), {
    action: "events.export",
    eventType: "read",
    outcome: "success",
    target: { id: EVENTS_TARGET, type: "events" },
    attributes: { ...auditableFilter(filter), format: opts.format, sort: opts.sort, count, head },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    count,
    filename: `ledgerline-events-${stamp}.${opts.format === "csv" ? "csv" : "ndjson"}`,
    contentType: CONTENT_TYPE[opts.format],
    body: exportStream(ledger, pinned, opts.format, opts.sort, limit),
  };
}

function formatItem(item: EventItem, format: ExportFormat): string {
  if (format === "csv") return csvLine(item, item.leafHash);
  return `${JSON.stringify(item)}\n`;
}

/** Pulls one keyset page per read of the consumer: a slow client holds one page, never the result. */
function exportStream(
  ledger: Ledger,
  filter: EventFilter,
  format: ExportFormat,
  sort: Sort,
  limit: number,
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let cursor: string | undefined;
  let sent = 0;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          if (format === "csv") controller.enqueue(enc.encode(csvHeader()));
        }
        const page = await queryEvents(ledger, filter, { sort, limit: Math.min(PAGE, limit - sent), cursor });
        sent += page.items.length;
        if (page.items.length) controller.enqueue(enc.encode(page.items.map((i) => formatItem(i, format)).join("")));
        cursor = page.nextCursor ?? undefined;
        if (!cursor || sent >= limit) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}
