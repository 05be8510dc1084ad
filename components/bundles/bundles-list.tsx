"use client";

import Link from "next/link";
import { Identifier } from "@/components/ui/identifier.tsx";
import { BundleStatus } from "./bundle-status.tsx";
import { describeFilter, eventsHref, formatBytes, utc } from "./describe.ts";
import { isFinal, type BundleView } from "./types.ts";
import { usePolled } from "./use-polled.ts";
import "./bundles.css";

// The bundles table, live: while any bundle is queued or building it re-reads
// GET /api/v1/bundles every second.
export function BundlesList({ initial }: { initial: BundleView[] }) {
  const { value, error } = usePolled<{ bundles: BundleView[] }>("/api/v1/bundles", { bundles: initial }, (v) =>
    v.bundles.some((b) => !isFinal(b)),
  );
  const bundles = value.bundles;
  return (
    <div className="stack">
      {error && <p className="muted small">{error}</p>}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Evidence bundles">
        <table className="plain bundles-table" data-testid="bundles-table">
          <thead>
            <tr>
              <th>created</th>
              <th>by</th>
              <th>selection</th>
              <th>entries</th>
              <th>size</th>
              <th>sha256</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {bundles.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No bundles yet. Export one from the Events explorer or a trace, or create one above.
                </td>
              </tr>
            )}
            {bundles.map((b) => (
              <tr key={b.id} data-testid={`bundle-row-${b.id}`}>
                <td>
                  <Link href={`/bundles/${b.id}`}>{utc(b.createdAt)}</Link>
                </td>
                <td className="bundle-by">
                  <Identifier value={b.createdBy} copy={false} />
                </td>
                <td className="bundle-filter">
                  <Link
                    href={eventsHref(b.filter)}
                    title={`Open this selection in the explorer: ${describeFilter(b.filter)}`}
                  >
                    {describeFilter(b.filter)}
                  </Link>
                </td>
                <td>{b.count === null ? "—" : b.count.toLocaleString("en-US")}</td>
                <td>{formatBytes(b.size)}</td>
                <td className="bundle-sha">
                  {b.sha256 ? <Identifier value={b.sha256} copy="SHA-256" className="mono" /> : "—"}
                </td>
                <td>
                  <BundleStatus b={b} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
