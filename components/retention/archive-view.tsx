import Link from "next/link";
import type { ArchiveSearch, ArchiveSummary } from "@/lib/server/retention/archive-search.ts";

// The archive page's parts (app/(dashboard)/archive): server-rendered, no client state — a search
// is a GET link, so it can be shared and reloaded like an explorer link.

const mib = (b: number) => `${(b / 1048576).toFixed(b < 10 * 1048576 ? 2 : 0)} MiB`;

export function ArchiveFiles({ files, current }: { files: ArchiveSummary[] | null; current: string | null }) {
  if (files === null)
    return (
      <p className="muted">
        No archive directory is configured: set <code>LEDGERLINE_ARCHIVE_DIR</code> and turn archiving on for a
        retention policy (<code>ledgerline retention set … --archive</code>).
      </p>
    );
  if (!files.length)
    return <p className="muted">No archive files yet: a policy that archives writes them when it prunes.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Archive files">
      <table className="plain" data-testid="archive-files-table">
        <thead>
          <tr>
            <th>Month</th>
            <th>Policy</th>
            <th>File</th>
            <th>Size</th>
            <th>Receipts</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.file} aria-current={f.file === current ? "true" : undefined}>
              <td>{f.month}</td>
              <td className="mono">{f.policy}</td>
              <td className="mono">
                <Link href={`/archive?file=${encodeURIComponent(f.file)}`}>{f.file}</Link>
              </td>
              <td>{mib(f.bytes)}</td>
              <td>{f.receipts ? "bundled" : <span className="error">missing</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FIELDS = [
  ["q", "Text (reason, attributes)"],
  ["service", "Service"],
  ["requester", "Requester"],
  ["target", "Target"],
  ["action", "Action"],
  ["outcome", "Outcome (success, failure, denied)"],
] as const;

export function ArchiveSearchForm({ file, params }: { file: string; params: URLSearchParams }) {
  return (
    <form method="get" action="/archive" className="grid" aria-label="Filter the archive" data-testid="archive-filter">
      <input type="hidden" name="file" value={file} />
      {FIELDS.map(([name, label]) => (
        <label key={name}>
          {label}
          <input name={name} defaultValue={params.get(name) ?? ""} placeholder="any" />
        </label>
      ))}
      <div>
        <button type="submit" className="btn primary">
          Filter
        </button>
      </div>
    </form>
  );
}

function Banner({ r }: { r: ArchiveSearch }) {
  const at = r.verified.at.replace("T", " ").slice(0, 19) + " UTC";
  return r.verified.ok ? (
    <p role="status" className="ok" data-testid="archive-banner">
      Archive {r.month} (policy {r.policy}), verified {at}: {r.verified.detail}. Read-only.
    </p>
  ) : (
    <p role="alert" className="error" data-testid="archive-banner">
      Archive {r.month}: NOT VERIFIED ({r.verified.detail}). Its entries are not shown; run{" "}
      <code>ledgerline archive verify</code> for the details.
    </p>
  );
}

const text = (v: unknown) => (typeof v === "string" ? v : "");

export function ArchiveResults({ result, params }: { result: ArchiveSearch; params: URLSearchParams }) {
  const next = new URLSearchParams(params);
  next.set("file", result.file);
  if (result.nextAfter !== null) next.set("after", String(result.nextAfter));
  return (
    <>
      <Banner r={result} />
      {result.verified.ok && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Archived entries">
          <table className="plain" data-testid="archive-entries">
            <thead>
              <tr>
                <th>Seq</th>
                <th>Time (UTC)</th>
                <th>Outcome</th>
                <th>Requester</th>
                <th>Target</th>
                <th>Action</th>
                <th>Pruned by</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map(({ seq, entry, receiptSeq }) => (
                <tr key={seq}>
                  <td className="mono">{seq}</td>
                  <td className="mono">{text(entry.timestamp)}</td>
                  <td>{text(entry.outcome)}</td>
                  <td className="mono">{text((entry.requester as { id?: string } | undefined)?.id)}</td>
                  <td className="mono">{text((entry.target as { id?: string } | undefined)?.id)}</td>
                  <td>{text(entry.action)}</td>
                  <td>
                    {receiptSeq !== null ? (
                      <Link href={`/events/${receiptSeq}`}>receipt seq {receiptSeq}</Link>
                    ) : (
                      "kept"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.verified.ok && !result.items.length && <p className="muted">No archived entry matches this filter.</p>}
      {result.nextAfter !== null && <Link href={`/archive?${next}`}>Next entries →</Link>}
    </>
  );
}
