import "@/components/events/explorer.css";
import { forbidden, notFound } from "next/navigation";
import { BackToResults } from "@/components/events/back-button.tsx";
import { filterHref } from "@/components/events/explorer-params.ts";
import { Instant } from "@/components/events/instant.tsx";
import { VerifyPanel } from "@/components/events/verify-panel.tsx";
import { Card } from "@/components/ui/card.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Identifier, IdentifierText } from "@/components/ui/identifier.tsx";
import { VisibleText } from "@/components/ui/visible-text.tsx";
import { PrunedEntry } from "@/components/retention/pruned-entry.tsx";
import { ErasedFields, ErasedMarker } from "@/components/retention/erased-fields.tsx";
import { AwaitCheckpoint } from "@/components/events/await-checkpoint.tsx";
import { OWN_SOURCE_PREFIX, type EventFilter } from "@/lib/core/event-filter.ts";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { AppError } from "@/lib/server/errors.ts";
import { viewEvent, type EventDetail } from "@/lib/server/events/search.ts";
import { seqSchema } from "@/lib/schemas/api-params.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

function FilterValue({ field, value, own }: { field: keyof EventFilter; value: string | undefined; own: boolean }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <Identifier value={value} copy={field}>
      <a
        href={filterHref(field, value, own)}
        title={`All entries with this ${field}`}
        data-testid={`detail-filter-${field}`}
      >
        <IdentifierText value={value} />
      </a>
    </Identifier>
  );
}

// One entry: every field, its canonical bytes, leaf hash and covering
// checkpoint, and a Verify button that checks all of it in the browser.
export default async function EventDetailPage({ params }: { params: Promise<{ seq: string }> }) {
  const { seq: raw } = await params;
  const { principal, allowed } = await pagePrincipal(`/events/${encodeURIComponent(raw)}`, "events:read");
  // layout.tsx answered 403/404 already (with the right status); these only keep the page safe on its own.
  if (!allowed) forbidden();
  const seq = seqSchema.safeParse(raw);
  if (!seq.success) notFound();
  let d: EventDetail;
  try {
    d = await viewEvent(await getRuntime(), principal, seq.data);
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") notFound();
    throw e;
  }
  const e = d.entry;
  if (d.pruned) {
    const { receiptSeq, policy } = d.pruned;
    const kept = { id: e.id, source: e.source, timestamp: e.timestamp, receivedAt: e.receivedAt };
    return <PrunedEntry seq={d.seq} leafHash={d.leafHash} {...kept} receiptSeq={receiptSeq} policy={policy} />;
  }
  return (
    <main className="explorer" data-testid="event-detail">
      <div className="explorer-head">
        <BackToResults />
        <h1>Entry {d.seq.toLocaleString("en-US")}</h1>
        <span className={`badge outcome-${e.outcome}`}>{e.outcome}</span>
        <span className="muted detail-subject">
          <span className="nowrap">{e.eventType} of</span> <Identifier value={e.target.id} copy={false} />
        </span>
      </div>
      <div className="detail-grid">
        <div className="stack">
          <Card title="Fields" testId="event-fields">
            <table className="plain fields" data-testid="fields-table">
              <tbody>
                {fieldRows(d).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <ErasedFields fields={d.erased} />
          {e.attributes && (
            <Card title="Attributes">
              <pre data-testid="attributes-json">
                <VisibleText text={JSON.stringify(e.attributes, null, 2)} />
              </pre>
            </Card>
          )}
          <Card title="Canonical JSON (the hashed bytes, RFC 8785)" testId="canonical-json">
            <pre>
              <VisibleText text={d.canonicalJson} />
            </pre>
            <CopyButton value={d.canonicalJson} label="canonical JSON" />
          </Card>
        </div>
        <ProofColumn d={d} />
      </div>
    </main>
  );
}

/** An erased field's marker (leaf v2), or a dash for a field the event never had. */
function erasedOr(d: EventDetail, pointer: string): React.ReactNode {
  const f = d.erased.find((x) => x.pointer === pointer);
  return f ? <ErasedMarker f={f} /> : <span className="muted">—</span>;
}

/** The entry's fields, one row each (a declarative table). */
function fieldRows(d: EventDetail): Array<[string, React.ReactNode]> {
  const e = d.entry;
  // A meta-audit record's links must find it: the explorer hides `ledgerline:` sources by default.
  const own = e.source.startsWith(OWN_SOURCE_PREFIX);
  return [
    [
      "Seq",
      <span key="seq" className="mono">
        {d.seq}
        <CopyButton value={String(d.seq)} label="seq" />
      </span>,
    ],
    ["Event ID", <Identifier key="id" value={e.id} copy="event ID" className="mono" />],
    ["Time (claimed)", <Instant key="ts" iso={e.timestamp} />],
    ["Received", <Instant key="rx" iso={e.receivedAt} />],
    ["Event type", <FilterValue own={own} key="t" field="eventType" value={e.eventType} />],
    [
      "Outcome",
      <span key="o" className={`badge outcome-${e.outcome}`}>
        <a className="plain-link" href={filterHref("outcome", e.outcome, own)}>
          {e.outcome}
        </a>
      </span>,
    ],
    [
      "Requester",
      e.requester.id === undefined ? (
        erasedOr(d, "/requester/id")
      ) : (
        <FilterValue own={own} key="r" field="requester" value={e.requester.id} />
      ),
    ],
    ["Requester type", <FilterValue own={own} key="rt" field="requesterType" value={e.requester.type} />],
    ["Requester IP", e.requester.ip ?? erasedOr(d, "/requester/ip")],
    ["Target", <FilterValue own={own} key="tg" field="target" value={e.target.id} />],
    ["Target service", <FilterValue own={own} key="sv" field="service" value={e.target.service} />],
    ["Target type", e.target.type ? <VisibleText key="tt" text={e.target.type} /> : <span className="muted">—</span>],
    ["Action", <FilterValue own={own} key="a" field="action" value={e.action} />],
    ["Source", <FilterValue own={own} key="src" field="source" value={e.source} />],
    [
      "Correlation ID",
      e.correlationId ? (
        <span key="c" className="cell-row">
          <Identifier value={e.correlationId} copy="correlation ID">
            <a href={`/trace/${encodeURIComponent(e.correlationId)}`} className="mono" data-testid="detail-trace-link">
              <IdentifierText value={e.correlationId} />
            </a>
          </Identifier>
          <a href={filterHref("correlationId", e.correlationId, own)} className="mini-link">
            filter by
          </a>
        </span>
      ) : (
        <span className="muted">—</span>
      ),
    ],
    // Free text keeps format characters as sent; they are shown as marks, never acting on the page.
    ["Reason", e.reason ? <VisibleText key="reason" text={e.reason} /> : <span className="muted">—</span>],
  ];
}

/** What proves the entry: its leaf hash, the checkpoint that covers it, and the in-browser check. */
function ProofColumn({ d }: { d: EventDetail }) {
  return (
    <div className="stack">
      <Card title="Leaf hash" testId="leaf-hash">
        <span className="mono break">{d.leafHash}</span>
        <CopyButton value={d.leafHash} label="leaf hash" />
        <p className="muted small-print">SHA-256(0x00 ‖ canonical JSON), leaf index {d.seq - 1} of the Merkle tree.</p>
      </Card>
      <Card title="Covering checkpoint" testId="covering-checkpoint">
        {d.checkpoint ? (
          <>
            <p>
              Tree size <strong>{d.checkpoint.treeSize.toLocaleString("en-US")}</strong>, signed{" "}
              <Instant iso={d.checkpoint.createdAt} /> by key <span className="mono">{d.checkpoint.keyId}</span>.
            </p>
            <pre>{d.checkpoint.note}</pre>
          </>
        ) : (
          <p className="muted">
            None yet: the next checkpoint (within a minute) will cover this entry. <AwaitCheckpoint seq={d.seq} />
          </p>
        )}
      </Card>
      <Card title="Verify in this browser" testId="verify-card">
        <VerifyPanel
          seq={d.seq}
          canonicalJson={d.canonicalJson}
          leafHash={d.leafHash}
          checkpoint={d.checkpoint ? { treeSize: d.checkpoint.treeSize, note: d.checkpoint.note } : null}
        />
      </Card>
    </div>
  );
}
