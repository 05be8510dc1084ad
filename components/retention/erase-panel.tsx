"use client";

import { useState } from "react";
import { ConfirmButton } from "@/components/admin/confirm-button.tsx";
import { NoticeLine } from "@/components/admin/notice-line.tsx";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";
import { countOf } from "@/components/ui/count.ts";
import type { EraseReport } from "@/lib/server/retention/erase.ts";
import type { PersonalFieldRow } from "@/lib/server/retention/personal-store.ts";
import type { Result } from "@/components/admin/types.ts";

// The erasure form: a dry run first (how many entries hold the value, which a legal hold
// keeps), then an explicit confirm that erases exactly what was previewed — the confirm
// re-sends the previewed input, not whatever the fields hold now.

const SHOWN_SEQS = 20;

type EraseInput = { field: string; value: string; json: boolean; request: string };
export type EraseAction = (i: EraseInput & { dryRun: boolean }) => Promise<Result<{ report: EraseReport }>>;

function readForm(form: HTMLFormElement): EraseInput {
  const f = new FormData(form);
  return {
    field: String(f.get("field") ?? ""),
    value: String(f.get("value") ?? ""),
    json: f.get("json") === "on",
    request: String(f.get("request") ?? ""),
  };
}

export function ErasePanel({ erase, fields }: { erase: EraseAction; fields: PersonalFieldRow[] }) {
  const a = useAdminAction();
  const [previewed, setPreviewed] = useState<{ input: EraseInput; report: EraseReport } | null>(null);
  const pointers = [...new Set(["/requester/id", ...fields.map((x) => x.pointer)])];
  return (
    <section className="card stack" data-testid="erase-card">
      <h2>Erase a data subject</h2>
      <form
        className="inline"
        style={{ flexWrap: "wrap", alignItems: "end" }}
        aria-label="Erase personal data"
        data-testid="erase-form"
        onChange={() => setPreviewed(null)}
        onSubmit={(e) => {
          e.preventDefault();
          const input = readForm(e.currentTarget);
          a.run(
            () => erase({ ...input, dryRun: true }),
            (r) => setPreviewed({ input, report: r.report }),
          );
        }}
      >
        <EraseFields pointers={pointers} />
        <button type="submit" className="btn" disabled={a.pending} data-testid="erase-preview">
          {a.pending ? "Working…" : "Preview (dry run)"}
        </button>
      </form>
      <p className="muted">
        Only values of fields committed when their event was sequenced can be erased. Entries under a legal hold are
        kept and named. The receipt records the field and the request reference, never the value.
      </p>
      {previewed && <ErasePlan report={previewed.report} />}
      {previewed?.report.dryRun && previewed.report.erased > 0 && (
        <ConfirmButton
          label={`Erase ${previewed.input.field} of ${countOf(previewed.report.erased, "entry", "entries")}`}
          question="Erase now? The values and salts are deleted for good; the receipt stays in the log."
          confirmLabel="Erase"
          disabled={a.pending}
          onConfirm={() =>
            a.run(
              () => erase({ ...previewed.input, dryRun: false }),
              (r) => setPreviewed({ input: previewed.input, report: r.report }),
            )
          }
        />
      )}
      <NoticeLine notice={a.notice} />
    </section>
  );
}

function EraseFields({ pointers }: { pointers: string[] }) {
  return (
    <>
      <label>
        Field
        <input name="field" required list="erasable-pointers" placeholder="/requester/ip" autoComplete="off" />
        <datalist id="erasable-pointers">
          {pointers.map((x) => (
            <option key={x} value={x} />
          ))}
        </datalist>
      </label>
      <label>
        Value
        <input name="value" required placeholder="10.1.2.3" autoComplete="off" />
      </label>
      <label className="check">
        <input name="json" type="checkbox" /> Value is JSON
      </label>
      <label>
        Request reference
        <input name="request" required maxLength={128} placeholder="DSR-2026-17" autoComplete="off" />
      </label>
    </>
  );
}

function ErasePlan({ report }: { report: EraseReport }) {
  const heldCount = report.held.reduce((n, h) => n + h.seqs.length, 0);
  return (
    <div className="stack-tight" data-testid="erase-plan" role="status">
      {report.matched === 0 ? (
        <p data-testid="erase-none">
          No kept value of <code>{report.field}</code> matches: nothing to erase (already erased, or never committed —
          only fields declared personal when their event arrived are erasable).
        </p>
      ) : report.dryRun ? (
        <p>
          Dry run, nothing erased: {countOf(report.matched, "entry", "entries")} hold this value of{" "}
          <code>{report.field}</code>; <strong data-testid="erase-due">{report.erased}</strong> would be erased
          {heldCount ? `, ${heldCount} kept by a legal hold` : ""}.
        </p>
      ) : (
        <p className="ok" data-testid="erase-done">
          Erased <code>{report.field}</code> of {countOf(report.erased, "entry", "entries")} (request {report.request})
          under receipt {report.receipts.length === 1 ? "seq" : "seqs"}{" "}
          {report.receipts.map((s, i) => (
            <span key={s}>
              {i ? ", " : ""}
              <a href={`/events/${s}`}>{s}</a>
            </span>
          ))}
          ; leaf hashes unchanged. Run VACUUM (SQLite) or VACUUM FULL (PostgreSQL) so freed pages are overwritten.
        </p>
      )}
      {report.held.length > 0 && (
        <ul data-testid="erase-held">
          {report.held.map((h) => (
            <li key={h.holdId}>
              Hold <span className="mono">{h.holdId}</span> (case {h.caseRef}) keeps{" "}
              {countOf(h.seqs.length, "entry", "entries")}: seq {h.seqs.slice(0, SHOWN_SEQS).join(", ")}
              {h.seqs.length > SHOWN_SEQS ? ", …" : ""}. Release it on the Retention page, then erase again.
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
