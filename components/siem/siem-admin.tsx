"use client";

import { useState } from "react";
import { AdminTable } from "@/components/admin/admin-table.tsx";
import { ConfirmButton } from "@/components/admin/confirm-button.tsx";
import { CreateCard } from "@/components/admin/create-card.tsx";
import { Time } from "@/components/admin/time.tsx";
import type { Result } from "@/components/admin/types.ts";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";
import { Identifier } from "@/components/ui/identifier.tsx";
import type { SiemFormat, SiemKind } from "@/lib/core/siem/wire.ts";
import type { DestinationFormInput } from "@/lib/schemas/siem.ts";
import type { DestinationView } from "@/lib/server/siem/service.ts";

// /siem: the destinations, how far behind each is (lag in entries a signed checkpoint
// covers), what was delivered, and the last error with what to do about it. Admins
// add, pause, resume, replay and remove; auditors see the same table without buttons.

type Actions = {
  create: (i: DestinationFormInput) => Promise<Result<{ id: string; name: string; cursorSeq: number }>>;
  setState: (id: string, state: "active" | "paused") => Promise<Result<{ id: string; state: string }>>;
  replay: (id: string, fromSeq: string) => Promise<Result<{ id: string; cursorSeq: number }>>;
  remove: (id: string) => Promise<Result<{ id: string }>>;
};

const KINDS: Array<{ kind: SiemKind; label: string; url: string }> = [
  { kind: "splunk-hec", label: "Splunk HTTP Event Collector", url: "https://splunk.example:8088/services/collector" },
  { kind: "elastic-bulk", label: "Elastic _bulk (ECS)", url: "https://elastic.example:9200/_bulk" },
  { kind: "syslog-tls", label: "Syslog RFC 5424 over TLS", url: "siem.example:6514" },
  { kind: "syslog-tcp", label: "Syslog RFC 5424 over TCP", url: "siem.example:514" },
  { kind: "https-ndjson", label: "HTTPS NDJSON endpoint", url: "https://collector.example/ingest" },
];
const FORMATS: Array<{ format: SiemFormat; label: string }> = [
  { format: "native", label: "Ledgerline native JSON" },
  { format: "ocsf", label: "OCSF 1.3 API Activity (6003)" },
];

const n = (v: number) => v.toLocaleString("en-US");

/** The page's actions, each run through useAdminAction (one at a time, the outcome as the notice). */
function useSiemActions(actions: Actions) {
  const { notice, setNotice, pending, run, submit } = useAdminAction();
  const [kind, setKind] = useState<SiemKind>("splunk-hec");
  const rowHandlers = (d: DestinationView) => ({
    onState: (s: "active" | "paused") =>
      run(
        () => actions.setState(d.id, s),
        () => setNotice({ kind: "ok", text: `${d.name} ${s === "active" ? "resumed" : "paused"}.` }),
      ),
    onReplay: (from: string) =>
      run(
        () => actions.replay(d.id, from),
        (r) =>
          setNotice({
            kind: "ok",
            text: `${d.name} sends again from seq ${r.cursorSeq + 1}; the receiver may see those records twice (at-least-once).`,
          }),
      ),
    onRemove: () =>
      run(
        () => actions.remove(d.id),
        () => setNotice({ kind: "ok", text: `Removed ${d.name}; nothing more is sent to it.` }),
      ),
  });

  const onCreate = (e: React.FormEvent<HTMLFormElement>) =>
    submit(
      e,
      (f) =>
        actions.create({
          name: f("name"),
          kind: f("kind"),
          format: f("format"),
          url: f("url"),
          secret: f("secret"),
          options: f("options"),
          start: f("start"),
        }),
      (r) =>
        setNotice({
          kind: "ok",
          text: `Added ${r.name}; streaming starts after seq ${r.cursorSeq}. Its lag below falls as batches are acknowledged.`,
        }),
    );
  return { notice, pending, onCreate, rowHandlers, kind, setKind };
}

export function SiemAdmin(p: {
  destinations: DestinationView[];
  covered: number;
  canManage: boolean;
  actions: Actions;
}) {
  const { notice, pending, onCreate, rowHandlers, kind, setKind } = useSiemActions(p.actions);
  return (
    <>
      {p.canManage && (
        <CreateCard
          title="Add a destination"
          formTestId="siem-create-form"
          formLabel="Add SIEM destination"
          submitLabel="Add destination"
          pending={pending}
          onSubmit={onCreate}
          hint={
            <>
              The secret (Splunk HEC token, or a bearer token for Elastic/NDJSON) is stored for sending and never shown
              again. Options are JSON, e.g. <code>{`{"index": "ledgerline", "batch": 500}`}</code>; syslog over TLS
              takes <code>{`{"ca": "-----BEGIN CERTIFICATE-----…"}`}</code>. See docs/siem.md for each wire format.
            </>
          }
          secret={null}
          notice={notice}
        >
          <CreateFields kind={kind} onKind={setKind} />
        </CreateCard>
      )}
      {!p.canManage && notice && <p className="bad">{notice.text}</p>}
      <p className="muted">
        The log&apos;s latest signed checkpoint covers <strong data-testid="siem-covered">{n(p.covered)}</strong>{" "}
        entries; a destination&apos;s lag counts those it has not acknowledged yet.
      </p>
      <AdminTable
        title="Destinations"
        testId="siem-table"
        columns={["Name", "Kind", "Target", "State", "Lag", "Delivered", "Last sent", "Last error"]}
        empty={
          p.canManage
            ? "No destinations yet. Add one above to copy every entry to your SIEM."
            : "No destinations configured. An admin adds them here, with the API or `ledgerline siem add`."
        }
        rows={p.destinations.map((d) => (
          <DestinationRow key={d.id} d={d} canManage={p.canManage} busy={pending} {...rowHandlers(d)} />
        ))}
      />
    </>
  );
}

function CreateFields({ kind, onKind }: { kind: SiemKind; onKind: (k: SiemKind) => void }) {
  const example = KINDS.find((k) => k.kind === kind)!;
  return (
    <>
      <label>
        Name
        <input name="name" required maxLength={63} pattern="[a-z0-9][a-z0-9\-]{0,62}" placeholder="splunk-prod" />
      </label>
      <label>
        Kind
        <select name="kind" value={kind} onChange={(e) => onKind(e.target.value as SiemKind)}>
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Format
        <select name="format" defaultValue="native">
          {FORMATS.map((f) => (
            <option key={f.format} value={f.format}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        {kind.startsWith("syslog") ? "Host:port" : "URL"}
        <input name="url" required maxLength={2048} placeholder={example.url} autoComplete="off" />
      </label>
      <label>
        Secret{kind === "splunk-hec" ? "" : " (optional)"}
        <input name="secret" type="password" maxLength={4096} autoComplete="off" required={kind === "splunk-hec"} />
      </label>
      <label>
        Options (JSON)
        <input name="options" maxLength={70000} placeholder='{"index": "ledgerline"}' autoComplete="off" />
      </label>
      <label>
        Start after
        <input name="start" defaultValue="beginning" maxLength={20} title='"beginning", "now" or a seq' />
      </label>
    </>
  );
}

const STATE_BADGE: Record<DestinationView["state"], string> = {
  active: "badge ok",
  paused: "badge",
  "dead-letter": "badge bad",
};

function DestinationRow(p: {
  d: DestinationView;
  canManage: boolean;
  busy: boolean;
  onState: (s: "active" | "paused") => void;
  onReplay: (fromSeq: string) => void;
  onRemove: () => void;
}) {
  const { d } = p;
  return (
    <tr data-testid={`siem-row-${d.name}`}>
      <td className="mono">{d.name}</td>
      <td>
        {d.kind}
        <span className="muted"> · {d.format}</span>
      </td>
      <td className="cell-ident">
        <Identifier value={d.url} copy="destination" />
      </td>
      <td>
        <span className={STATE_BADGE[d.state]} data-testid="siem-state">
          {d.state}
        </span>
        {d.attempts > 0 && <span className="muted"> · {d.attempts} failed tries</span>}
      </td>
      <td data-testid="siem-lag">{n(d.lag)}</td>
      <td>{n(d.delivered)}</td>
      <td>
        <Time iso={d.lastSentAt} />
      </td>
      <td data-testid="siem-error">
        <LastError d={d} />
      </td>
      <td>{p.canManage && <RowActions {...p} />}</td>
    </tr>
  );
}

function LastError({ d }: { d: DestinationView }) {
  if (!d.lastError) return <span className="muted">none</span>;
  const next =
    d.state === "dead-letter"
      ? "Parked after too many failures: fix the receiver, then Resume (the failed batch is sent again)."
      : "Retried with back-off (1 s to 5 min).";
  return (
    <span>
      <span className="bad">{d.lastError}</span>
      <br />
      <span className="muted">
        <Time iso={d.lastErrorAt} /> · {next}
      </span>
    </span>
  );
}

function RowActions(p: {
  d: DestinationView;
  busy: boolean;
  onState: (s: "active" | "paused") => void;
  onReplay: (fromSeq: string) => void;
  onRemove: () => void;
}) {
  const [from, setFrom] = useState("");
  const { d } = p;
  return (
    <div className="inline" style={{ flexWrap: "wrap" }}>
      <button
        type="button"
        className="btn small"
        disabled={p.busy}
        onClick={() => p.onState(d.state === "active" ? "paused" : "active")}
      >
        {d.state === "active" ? "Pause" : "Resume"}
      </button>
      <form
        className="inline"
        aria-label={`Replay ${d.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          p.onReplay(from);
        }}
      >
        <label className="sr-only" htmlFor={`replay-${d.id}`}>
          Replay {d.name} from seq
        </label>
        <input
          id={`replay-${d.id}`}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          inputMode="numeric"
          placeholder="from seq"
          size={8}
        />
        <button type="submit" className="btn small" disabled={p.busy || from.trim() === ""}>
          Replay
        </button>
      </form>
      <ConfirmButton
        label="Remove"
        question={`Remove ${d.name}? Its cursor is lost.`}
        confirmLabel="Remove destination"
        disabled={p.busy}
        onConfirm={p.onRemove}
      />
    </div>
  );
}
