import { countOf } from "@/components/ui/count.ts";
import { PrunedNotice } from "@/components/retention/pruned-notice.tsx";
import Link from "next/link";
import { VisibleText } from "@/components/ui/visible-text.tsx";
import type { Trace } from "@/lib/server/traces/trace.ts";
import { ClockIcon } from "./clock-icon.tsx";
import { ExportBundleButton } from "@/components/bundles/export-bundle-button.tsx";
import { Identifier } from "@/components/ui/identifier.tsx";
import { TraceTime } from "./trace-time.tsx";
import { explorerHref, explorerParamsOf } from "@/components/events/explorer-params.ts";
import { formatRel, formatSpan, toTimelineModel, type ClockFinding } from "./model.ts";
import { ServiceGraph } from "./service-graph.tsx";
import { TraceBody } from "./trace-body.tsx";
import { ZoneSwitch } from "./zone-switch.tsx";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";
import { TraceSearch } from "./trace-search.tsx";

// The timeline page's body, from a Trace the page fetched (and audited).

const short = (id: string) => id.replace(/^spiffe:\/\/[^/]+\//, "");

function Finding({ f, tz }: { f: ClockFinding; tz: TimeZoneMode }) {
  if (f.kind === "future") {
    return (
      <li>
        seq{" "}
        <Link prefetch={false} href={`/events/${f.entry.seq}`}>
          {f.entry.seq}
        </Link>{" "}
        from <Identifier value={short(f.entry.lane)} copy={false} className="mono" /> claims{" "}
        <TraceTime iso={f.entry.ts} tz={tz} />, {formatSpan(f.skewMs)} after the ledger received it (
        <TraceTime iso={f.entry.receivedAt} tz={tz} />
        ).
      </li>
    );
  }
  return (
    <li>
      seq{" "}
      <Link prefetch={false} href={`/events/${f.later.seq}`}>
        {f.later.seq}
      </Link>{" "}
      (<Identifier value={short(f.later.lane)} copy={false} className="mono" />) was received after seq{" "}
      <Link prefetch={false} href={`/events/${f.earlier.seq}`}>
        {f.earlier.seq}
      </Link>{" "}
      (<Identifier value={short(f.earlier.lane)} copy={false} className="mono" />) yet claims a time{" "}
      {formatSpan(f.skewMs)} earlier.
    </li>
  );
}

export function TracePageView({ trace, canExport, tz }: { trace: Trace; canExport: boolean; tz: TimeZoneMode }) {
  if (trace.total === 0) return <EmptyTrace correlationId={trace.correlationId} />;
  const model = toTimelineModel(trace);
  return (
    <main className="trace-page">
      <TraceHead trace={trace} canExport={canExport} tz={tz} />
      {trace.clock.total > 0 && <ClockWarning clock={trace.clock} tz={tz} />}

      {trace.truncated && (
        <section className="card banner section" data-testid="trace-truncated">
          <strong>Large trace</strong>
          <span>
            The list holds the first {trace.returned.toLocaleString("en-US")} of {trace.total.toLocaleString("en-US")}{" "}
            entries by timestamp; the lanes, graph and gaps cover{" "}
            {trace.analyzed === trace.total ? "all of them" : `the first ${trace.analyzed.toLocaleString("en-US")}`}.
          </span>
        </section>
      )}

      <TraceBody
        tz={tz}
        model={model}
        timelineNote={
          <p className="muted small">
            One lane per machine identity or target service. Each access sits in its requester&apos;s lane at its
            claimed time, with a line to its target&apos;s lane.
            {trace.gaps.length > 0 &&
              ` Gaps: silences of at least ${formatSpan(trace.gapThresholdMs)} between consecutive hops (${trace.gaps.length}).`}
          </p>
        }
        graph={
          <section className="card section">
            <h2>Service graph</h2>
            <ServiceGraph graph={trace.graph} />
          </section>
        }
        entriesNote={
          trace.gaps.length > 0 && (
            <p className="muted small" data-testid="gap-list">
              Gaps:{" "}
              {trace.gaps
                .map(
                  (g) =>
                    `${formatSpan(g.ms)} after ${formatRel(g.startMs)} (between seq ${g.afterSeq} and ${g.beforeSeq})`,
                )
                .join("; ")}
            </p>
          )
        }
      />
    </main>
  );
}

function EmptyTrace({ correlationId }: { correlationId: string }) {
  return (
    <main className="trace-page">
      <section className="card stack" data-testid="trace-empty">
        <h1 className="trace-title">
          No entries for <span className="mono break">{correlationId}</span>
        </h1>
        <p className="muted">Nothing in the log carries this correlation id. A few things to check:</p>
        <ul className="muted">
          <li>
            Ids match exactly, case included (hex trace ids in any case). From a W3C traceparent, paste the whole
            header: its 32-hex-digit trace-id is what ingest records.
          </li>
          <li>The services on this path may not have sent their events yet, or send them without a correlation id.</li>
          <li>Ledgerline shows only what was reported: it never fills in hops for services that stayed silent.</li>
        </ul>
        <TraceSearch defaultValue={correlationId} />
      </section>
    </main>
  );
}

/** The trace's id, its size and span, its denials and failures, and the way to the explorer and to a bundle. */
function TraceHead({ trace, canExport, tz }: { trace: Trace; canExport: boolean; tz: TimeZoneMode }) {
  // Exactly the trace's entries: a trace is every entry with this id, whatever its
  // time or source, so the link is range=all (not from/to: a hop arriving later
  // with an earlier or later claimed time would fall outside) and own=include.
  // The correlation index serves it without a time bound.
  const explorer = explorerHref(explorerParamsOf({ correlationId: trace.correlationId, hideOwnActivity: false }));
  const denied = trace.lanes.reduce((s, l) => s + l.sent.denied, 0);
  const failed = trace.lanes.reduce((s, l) => s + l.sent.failure, 0);
  return (
    <section className="card trace-head" data-testid="trace-head">
      <div className="stack-tight">
        <h1 className="trace-title">
          Trace{" "}
          <span className="mono break" data-testid="trace-id">
            {trace.correlationId}
          </span>
        </h1>
        <div className="trace-facts">
          <span data-testid="trace-total">
            <strong>{trace.total.toLocaleString("en-US")}</strong> {trace.total === 1 ? "entry" : "entries"}
          </span>
          <span>
            <strong>{trace.lanes.length}</strong> {trace.lanes.length === 1 ? "service" : "services"}
          </span>
          <span>
            <strong>{formatSpan(trace.durationMs)}</strong> from first to last
          </span>
          {denied > 0 && <span className="badge bad">✕ {denied} denied</span>}
          {failed > 0 && <span className="badge warn">! {countOf(failed, "failure")}</span>}
        </div>
        <div className="muted small">
          first {trace.start && <TraceTime iso={trace.start} tz={tz} />} · last{" "}
          {trace.end && <TraceTime iso={trace.end} tz={tz} />} · times as claimed by the services, ordered by timestamp
          then seq
        </div>
        <Reasons entries={trace.entries} />
        <PrunedNotice pruned={trace.pruned} range="during this trace's span" />
      </div>
      <div className="trace-actions">
        <Link className="btn" href={explorer} prefetch={false} data-testid="trace-open-explorer">
          Open in the explorer
        </Link>
        {canExport && <ExportBundleButton filter={{ correlationId: trace.correlationId }} />}
        <ZoneSwitch tz={tz} />
      </div>
    </section>
  );
}

/** Why entries were denied or failed: each distinct reason once, with its count and first entry. */
function Reasons({ entries }: { entries: Trace["entries"] }) {
  const byReason = new Map<string, { outcome: string; reason: string; n: number; seq: number }>();
  for (const e of entries) {
    if (e.outcome === "success") continue;
    const reason = e.reason ?? "(no reason given)";
    const key = `${e.outcome}\u0000${reason}`;
    const r = byReason.get(key);
    if (r) r.n++;
    else byReason.set(key, { outcome: e.outcome, reason, n: 1, seq: e.seq });
  }
  if (byReason.size === 0) return null;
  const list = [...byReason.values()];
  return (
    <ul className="trace-reasons" data-testid="trace-reasons">
      {list.slice(0, 8).map((r) => (
        <li key={`${r.outcome}|${r.reason}`}>
          <span className={`outcome-tag ${r.outcome}`}>{r.outcome}</span>{" "}
          <Link href={`/events/${r.seq}`} prefetch={false} className="trace-reason">
            <VisibleText text={r.reason} />
          </Link>
          {r.n > 1 && <span className="muted"> ×{r.n}</span>}
        </li>
      ))}
      {list.length > 8 && (
        <li className="muted">… and {list.length - 8} more reasons (filter the explorer by outcome)</li>
      )}
    </ul>
  );
}

function ClockWarning({ clock, tz }: { clock: Trace["clock"]; tz: TimeZoneMode }) {
  return (
    <section className="card banner bad section" data-testid="clock-warning" role="status">
      <strong className="inline">
        <ClockIcon size={16} /> Clock skew
      </strong>
      <span>
        {clock.total} {clock.total === 1 ? "finding" : "findings"}: claimed timestamps disagree with the order the
        ledger received the entries by more than {formatSpan(clock.toleranceMs)}. The timeline keeps the claimed order;
        either a sender&apos;s clock is off or it delivered late.
      </span>
      <ul className="clock-findings">
        {clock.findings.slice(0, 12).map((f, i) => (
          <Finding key={i} f={f} tz={tz} />
        ))}
        {clock.total > 12 && (
          <li className="muted">
            … and {clock.total - 12} more (all listed in the API response up to {clock.findings.length}
            ).
          </li>
        )}
      </ul>
    </section>
  );
}
