// Issue 16's targets, each beside the figure it judges (the log lines and docs/benchmarks.md).
// Structural types only, so the sections and the report can all import this file.
import { CONCURRENCY, fmt } from "./config.ts";

type IngestFigure = { dialect: string; batch: number; clients: number; instances: number; perS: number };
export type Target = { ratio: number; target: number; text: string };

const show = (ratio: number, target: number, what: string): Target => ({
  ratio,
  target,
  text: `${what} ${fmt(ratio, 2)}× (target ≥ ${fmt(target, 2)}×) ${ratio >= target ? "met" : "MISSED"}`,
});

/**
 * The target an ingest row is measured against, if it has one: SQLite batch 500
 * and PostgreSQL batch 100 (default clients) ≥ 50 % of raw; single events from 64
 * clients ≥ 4× the raw single-row commit rate; two instances on one PostgreSQL
 * ≥ 1.3× one instance with the same clients and batch (a row before it).
 */
export function ingestTarget(i: IngestFigure, rawPerS: number, before: IngestFigure[]): Target | null {
  if (i.instances === 2) {
    const one = before.find(
      (o) => o.dialect === i.dialect && o.instances === 1 && o.batch === i.batch && o.clients === i.clients,
    );
    return one ? show(i.perS / one.perS, 1.3, "vs one instance") : null;
  }
  if (i.batch === 1 && i.clients >= 64) return show(i.perS / rawPerS, 4, "vs raw single-row commits");
  if (i.clients !== CONCURRENCY) return null;
  if ((i.dialect === "sqlite" && i.batch === 500) || (i.dialect === "postgres" && i.batch === 100))
    return show(i.perS / rawPerS, 0.5, "vs raw");
  return null;
}

/** Full verification on every core: ≥ 150 % of one core's raw JCS + SHA-256. */
export function verifyTarget(v: { perS: number; hashPerS: number }): string {
  const r = v.perS / v.hashPerS;
  return `${fmt(r * 100, 1)} % (target ≥ 150 %) ${r >= 1.5 ? "met" : "MISSED"}`;
}

/** ≤ 10 s per 100 k entries, peak RSS ≤ 300 MB, whatever the size. */
export function bundleTargets(b: { entries: number; seconds: number; peakRssMiB: number }): string {
  const per100k = (b.seconds / b.entries) * 100_000;
  const mb = (b.peakRssMiB * 1024 * 1024) / 1e6;
  return `${fmt(per100k, 1)} s per 100 k (target ≤ 10) ${per100k <= 10 ? "met" : "MISSED"}; ${fmt(mb)} MB (target ≤ 300) ${mb <= 300 ? "met" : "MISSED"}`;
}
