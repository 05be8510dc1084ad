import { countOf } from "@/components/ui/count.ts";
import Link from "next/link";
import { Instant } from "@/components/events/instant.tsx";
import { IdentifierText } from "@/components/ui/identifier.tsx";
import type { TraceSearchPage } from "@/lib/server/traces/search.ts";
import { TRACE_RANGES, type TraceRange, type TraceStatus } from "@/lib/schemas/trace-search.ts";
import { formatSpan } from "./model.ts";

// The trace finder on /trace: a plain GET form (works before hydration, the search
// stays in the URL, the back button returns to it) and the page of traces it found.

export type FinderState = { service: string; range: TraceRange | ""; status: TraceStatus | "" };

const RANGE_LABEL: Record<TraceRange, string> = {
  "1h": "last hour",
  "24h": "last 24 h",
  "7d": "last 7 days",
  "30d": "last 30 days",
};

export function TraceFinderForm({ state }: { state: FinderState }) {
  return (
    <form action="/trace" method="get" className="trace-finder-form" data-testid="trace-finder">
      <label>
        Service or requester
        <input
          name="service"
          defaultValue={state.service}
          placeholder="e.g. payments"
          spellCheck={false}
          autoComplete="off"
          maxLength={512}
        />
      </label>
      <label>
        Last active
        <select name="range" defaultValue={state.range}>
          <option value="">any time</option>
          {(Object.keys(TRACE_RANGES) as TraceRange[]).map((r) => (
            <option key={r} value={r}>
              {RANGE_LABEL[r]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Outcome
        <select name="status" defaultValue={state.status}>
          <option value="">any</option>
          <option value="denied">has denied</option>
          <option value="failed">has failure</option>
        </select>
      </label>
      <button type="submit" className="btn primary">
        Find traces
      </button>
    </form>
  );
}

/** `spiffe://…/ns/shop/sa/orders` → `orders`; anything else as it is. */
function shortName(name: string): string {
  const m = /\/sa\/([^/]+)$/.exec(name);
  return m ? m[1]! : name;
}

/** At most six names; the rest counted (a 20-service trace must not make a row 20 lines tall). */
function Services({ names }: { names: string[] }) {
  const short = [...new Set(names.map(shortName))];
  const shown = short.slice(0, 6);
  return (
    <span title={short.join(", ")}>
      {shown.join(", ")}
      {short.length > shown.length && <span className="muted"> +{short.length - shown.length} more</span>}
    </span>
  );
}

export function TraceList({ page, nextHref }: { page: TraceSearchPage; nextHref: string | null }) {
  if (page.items.length === 0) {
    return (
      <p className="muted" data-testid="trace-list-empty">
        No trace matches. Widen the time range, clear the service, or paste a correlation id above.
      </p>
    );
  }
  return (
    <>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Traces found">
        <table className="plain trace-list" data-testid="trace-list">
          <thead>
            <tr>
              <th scope="col">Trace</th>
              <th scope="col">Last entry</th>
              <th scope="col">Span</th>
              <th scope="col">Entries</th>
              <th scope="col">Outcomes</th>
              <th scope="col">Services</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((t) => (
              <tr key={t.correlationId} data-testid="trace-list-row">
                <td className="cell-ident" data-label="Trace">
                  <Link
                    href={`/trace/${encodeURIComponent(t.correlationId)}`}
                    className="ident mono"
                    title={t.correlationId}
                  >
                    <IdentifierText value={t.correlationId} />
                  </Link>
                </td>
                <td data-label="Last entry">
                  <Instant iso={t.lastTs} />
                </td>
                <td className="nowrap" data-label="Span">
                  {formatSpan(t.durationMs)}
                </td>
                <td data-label="Entries">{t.entries.toLocaleString("en-US")}</td>
                <td className="trace-outcomes" data-label="Outcomes">
                  {t.denied > 0 && <span className="badge outcome-denied">{t.denied} denied</span>}
                  {t.failed > 0 && <span className="badge outcome-failure">{countOf(t.failed, "failure")}</span>}
                  {t.denied + t.failed === 0 && <span className="badge outcome-success">success</span>}
                </td>
                <td className="trace-services" data-label="Services">
                  <Services names={t.services} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {nextHref && (
        <p>
          <Link href={nextHref} className="btn small" data-testid="trace-list-next">
            Older traces →
          </Link>
        </p>
      )}
    </>
  );
}
