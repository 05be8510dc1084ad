// The timeline's server time: queryTrace (one index range on entries
// (correlation_id, ts, seq) plus the in-memory analysis) over given correlation
// ids, for `npm run bench` (target: a 50-entry trace among 10 M entries, p95 ≤ 50 ms).
import { performance } from "node:perf_hooks";
import type { Ledger } from "@/lib/server/ledger/ledger.ts";
import { queryTrace } from "@/lib/server/traces/trace.ts";
import type { TraceQuery } from "@/lib/schemas/trace-search.ts";
import { queryTraces } from "@/lib/server/traces/search.ts";
import { percentile, timeRuns } from "./config.ts";

/**
 * Times `runs` queryTrace calls, cycling through `correlationIds`, after one
 * untimed warm-up pass over them (statement cache, page cache). Milliseconds.
 */
export async function benchTrace(
  ledger: Ledger,
  correlationIds: string[],
  runs: number,
): Promise<{ p50: number; p95: number }> {
  if (correlationIds.length === 0) throw new Error("benchTrace needs at least one correlation id");
  for (const id of correlationIds) await queryTrace(ledger, id);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const id = correlationIds[r % correlationIds.length]!;
    const t = performance.now();
    const trace = await queryTrace(ledger, id);
    times.push(performance.now() - t);
    if (trace.total === 0) throw new Error(`benchTrace: no entries for correlation id ${id}`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/**
 * Trace search (/trace and GET /api/v1/traces): `runs` first pages of 25, cycling
 * through recent traces, "has denied" and one service of the newest trace — each
 * one index range on the rollup of migration 0011. Milliseconds; rows = traces listed.
 */
export async function timeTraceSearch(
  ledger: Ledger,
  runs: number,
): Promise<{ p50: number; p95: number; rows: number }> {
  const newest = (await queryTraces(ledger, {}, { limit: 1 })).items[0];
  const service = newest?.services.find((s) => !s.startsWith("spiffe:")) ?? newest?.services[0];
  const searches: TraceQuery[] = [{}, { status: "denied" }, ...(service ? [{ service }] : [])];
  return timeRuns(
    runs,
    async (i) => (await queryTraces(ledger, searches[i % searches.length]!, { limit: 25 })).items.length,
  );
}
