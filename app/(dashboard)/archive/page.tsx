import { ArchiveFiles, ArchiveResults, ArchiveSearchForm } from "@/components/retention/archive-view.tsx";
import { Card } from "@/components/ui/card.tsx";
import { explorerSelection } from "@/components/events/explorer-params.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { listArchiveFiles, searchArchive } from "@/lib/server/retention/archive-search.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

/** The explorer's reading of the link, on the server's clock (a preset becomes absolute bounds). */
function selectionNow(sp: URLSearchParams) {
  return explorerSelection(sp, Date.now());
}

// /archive — the archive written before pruning: its monthly files, and a read-only search of
// one (?file=…) with the explorer's filter parameters; all time unless the link says otherwise.
export default async function ArchivePage({ searchParams }: { searchParams: Search }) {
  const principal = await requirePagePermission("/archive", "archive:read");
  const rt = await getRuntime();
  const raw = await searchParams;
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) for (const x of [v ?? []].flat()) if (x !== "") sp.append(k, x);
  const file = sp.get("file");
  const after = Number(sp.get("after") ?? 0) || 0;
  for (const k of ["file", "after"]) sp.delete(k);
  if (!sp.has("range") && !sp.has("from") && !sp.has("to")) sp.set("range", "all");
  const files = rt.config.archiveDir ? await listArchiveFiles(rt, principal) : null;
  const sel = selectionNow(sp);
  const result = file && sel.ok ? await searchArchive(rt, principal, { file, filter: sel.value.filter, after }) : null;
  return (
    <main className="stack">
      <div className="page-head">
        <h1 className="page-title">Archive</h1>
        <span className="muted">Entries written to signed monthly bundles before they were pruned. Read-only.</span>
      </div>
      <Card title="Archive files" testId="archive-files">
        <ArchiveFiles files={files} current={file} />
      </Card>
      {file && (
        <Card title={`Search ${file}`} testId="archive-search">
          <ArchiveSearchForm file={file} params={sp} />
          {sel.ok ? (
            result && <ArchiveResults result={result} params={sp} />
          ) : (
            <p role="alert" className="error">
              {sel.errors.map((e) => `${e.param}: ${e.detail}`).join("; ")}
            </p>
          )}
        </Card>
      )}
    </main>
  );
}
