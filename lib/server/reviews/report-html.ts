import "server-only";
import type { ReportContext, ReportData, Ranked, ReviewReportSpec } from "./report-data.ts";

// report.html: one self-contained page (inline style, no script, no external asset, no
// link that loads anything), readable offline from the unzipped bundle. Every value from
// the log is escaped; it is evidence about hostile input, so it is never markup.

const esc = (s: string | number) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** An instant in the schedule's zone, with UTC beside it. */
export function zoned(iso: string, tz: string): string {
  const d = new Date(iso);
  const local = new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    dateStyle: "medium",
    timeStyle: "short",
    hourCycle: "h23",
  }).format(d);
  return `${local} ${tz} (${d.toISOString().replace(".000Z", "Z")})`;
}

const STYLE = `body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;max-width:60rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.25rem 0}th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #e3e3e3;vertical-align:top;overflow-wrap:anywhere}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#555}.bad{color:#a00;font-weight:600}.ok{color:#060;font-weight:600}
code{font:12px ui-monospace,monospace;overflow-wrap:anywhere}dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}dt{color:#555}dd{margin:0}`;

function table(head: string[], rows: Array<Array<string | number>>, numeric: number[] = []): string {
  if (!rows.length) return `<p class="muted">None.</p>`;
  const cell = (tag: string, v: string | number, i: number) =>
    `<${tag}${numeric.includes(i) ? ' class="n"' : ""}>${typeof v === "number" ? v.toLocaleString("en-US") : esc(v)}</${tag}>`;
  return `<table><thead><tr>${head.map((h, i) => cell("th", h, i)).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v, i) => cell("td", v, i)).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const rankedRows = (r: Ranked[]) => r.map((x) => [x.key, x.count, x.denied]);

function overview(spec: ReviewReportSpec, ctx: ReportContext, d: ReportData): string {
  const o = (k: string) => (d.byOutcome[k] ?? 0).toLocaleString("en-US");
  return `<dl>
<dt>Review</dt><dd>${esc(spec.scheduleName)}${spec.template ? ` <span class="muted">(template ${esc(spec.template)})</span>` : ""}</dd>
<dt>Saved view</dt><dd>${esc(spec.viewName)} — <code>/events?${esc(spec.viewQuery)}</code></dd>
<dt>Period</dt><dd>${esc(zoned(spec.periodStart, spec.timeZone))}<br>to ${esc(zoned(spec.periodEnd, spec.timeZone))} <span class="muted">(end excluded; ${esc(spec.frequency)}, <code>${esc(spec.cron)}</code>)</span></dd>
<dt>Entries</dt><dd><strong>${d.total.toLocaleString("en-US")}</strong> — ${o("success")} success, ${o("failure")} failure, <span class="${d.byOutcome.denied ? "bad" : ""}">${o("denied")} denied</span></dd>
<dt>Bundle</dt><dd><code>${esc(ctx.bundleId)}</code>, built ${esc(zoned(ctx.createdAt, spec.timeZone))}; seq ${ctx.firstSeq}–${ctx.lastSeq}</dd>
</dl>`;
}

function integrity(ctx: ReportContext, d: ReportData): string {
  const w = ctx.witnesses;
  const run = d.integrity;
  const runText = run
    ? `<span class="${run.status === "ok" ? "ok" : "bad"}">${esc(run.status === "ok" ? "intact" : "FAILED")}</span> — last ${esc(run.mode)} verification ${run.finishedAt ? `finished ${esc(run.finishedAt)}` : ""}, proven through seq ${run.verifiedThrough}`
    : `<span class="muted">no verification run recorded yet</span>`;
  const witText = w
    ? `<span class="${w.quorumMet ? "ok" : "bad"}">${w.quorumMet ? "quorum met" : "fewer than the quorum"}</span> (${esc(w.quorum)}): ${w.list.map((x) => `${esc(x.name)} ${x.cosigned ? "cosigned" : "did not cosign"}`).join(", ")}`
    : `<span class="muted">no witnesses configured: the checkpoint is signed by the log's key only</span>`;
  return `<dl>
<dt>Checkpoint</dt><dd>${esc(ctx.origin)}, tree size ${ctx.treeSize.toLocaleString("en-US")}, root <code>${esc(ctx.rootHash)}</code></dd>
<dt>Log key</dt><dd>key id <code>${esc(ctx.keyId)}</code>, fingerprint <code>${esc(ctx.fingerprint)}</code></dd>
<dt>Integrity</dt><dd>${runText}</dd>
<dt>Witnesses</dt><dd>${witText}</dd>
</dl>`;
}

/** The whole page. */
export function renderReportHtml(spec: ReviewReportSpec, ctx: ReportContext, d: ReportData): string {
  const newIds = d.newIdentities;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(spec.scheduleName)} — review pack</title><style>${STYLE}</style></head>
<body><main>
<h1>${esc(spec.scheduleName)}</h1>
<p class="muted">Ledgerline review pack. This report is inside a signed evidence bundle: <code>SHA256SUMS</code> covers it and
<code>ledgerline verify-bundle</code> checks it with the entries (<code>events.jsonl</code>) it summarises.</p>
<h2>Overview</h2>${overview(spec, ctx, d)}
<h2>Top requesters</h2>${table(["Requester", "Entries", "Denied"], rankedRows(d.topRequesters), [1, 2])}
<h2>Top targets</h2>${table(["Target", "Entries", "Denied"], rankedRows(d.topTargets), [1, 2])}
<h2>Denials</h2>${table(
    ["Requester", "Target", "Denied"],
    d.deniedPairs.map((p) => [p.requester, p.target, p.count]),
    [2],
  )}
<h2>New identities <span class="muted">(${newIds.count.toLocaleString("en-US")} first seen in this period${newIds.count > newIds.listed.length ? `; first ${newIds.listed.length} listed` : ""})</span></h2>
${table(
  ["Requester", "Entries", "First seen (UTC)"],
  newIds.listed.map((n) => [n.requester, n.count, n.firstSeen]),
  [1],
)}
<h2>Silent sources <span class="muted">(ingest keys with no entry in the period)</span></h2>
${d.silentSources.length ? `<ul>${d.silentSources.map((s) => `<li class="bad"><code>${esc(s)}</code></li>`).join("")}</ul>` : `<p class="muted">None: every active ingest key's source sent entries.</p>`}
<h2>Alerts of the period</h2>
${
  d.alerts.length
    ? table(
        ["Seq", "Time (UTC)", "Change", "Rule", "Alert"],
        d.alerts.map((a) => [String(a.seq), a.ts, a.action, a.ruleName, a.alertId]),
        [0],
      )
    : `<p class="muted">No alert fired, was acknowledged or resolved in this period.</p>`
}
<h2>Integrity and witnesses</h2>${integrity(ctx, d)}
<h2>Review</h2>
<p>Sign-off is recorded in the log itself (action <code>reviews.signoff</code>), after this pack was built: see the pack on <code>/reviews</code>.</p>
</main></body></html>
`;
}
