import "server-only";
import PDFDocument from "pdfkit";
import type { ReportContext, ReportData, ReviewReportSpec } from "./report-data.ts";
import { zoned } from "./report-html.ts";

// report.pdf: the same figures as report.html, for those who file PDFs. pdfkit with its
// built-in Helvetica (the standard-14 metrics ship inside the package: nothing fetched).
// Helvetica's WinAnsi encoding has no glyph for most non-Latin text, so such values are
// shown with their code points escaped (\u{…}) rather than silently dropped or mangled;
// report.html and events.jsonl carry the exact text. The document's dates are fixed to the
// bundle's creation time so a rebuild of the same pack is byte-identical.

const WINANSI_SAFE = /[^\u0020-\u007e\u00a0-\u00ff]/gu;
const safe = (s: string | number) => String(s).replace(WINANSI_SAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);

type Doc = InstanceType<typeof PDFDocument>;

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.6).font("Helvetica-Bold").fontSize(12).text(safe(text)).font("Helvetica").fontSize(9.5);
}

function rows(doc: Doc, head: string[], data: Array<Array<string | number>>, widths: number[]): void {
  if (!data.length) {
    doc.fillColor("#555").text("None.").fillColor("#000");
    return;
  }
  const x0 = doc.page.margins.left;
  const line = (cells: Array<string | number>, bold: boolean) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 30) doc.addPage();
    const y = doc.y;
    let x = x0;
    let bottom = y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica");
    cells.forEach((c, i) => {
      const text = typeof c === "number" ? c.toLocaleString("en-US") : safe(c);
      doc.text(text, x, y, { width: widths[i]! - 6, align: typeof c === "number" ? "right" : "left" });
      bottom = Math.max(bottom, doc.y);
      x += widths[i]!;
    });
    doc.x = x0;
    doc.y = bottom + 2;
  };
  line(head, true);
  for (const r of data) line(r, false);
  doc.font("Helvetica");
}

function body(doc: Doc, spec: ReviewReportSpec, ctx: ReportContext, d: ReportData): void {
  const o = (k: string) => (d.byOutcome[k] ?? 0).toLocaleString("en-US");
  doc.font("Helvetica-Bold").fontSize(16).text(safe(spec.scheduleName));
  doc.font("Helvetica").fontSize(9.5).fillColor("#555");
  doc.text("Ledgerline review pack, inside a signed evidence bundle (SHA256SUMS covers this file).").fillColor("#000");
  heading(doc, "Overview");
  doc.text(safe(`Saved view: ${spec.viewName}  (/events?${spec.viewQuery})`));
  doc.text(safe(`Period: ${zoned(spec.periodStart, spec.timeZone)} to ${zoned(spec.periodEnd, spec.timeZone)}`));
  doc.text(safe(`Schedule: ${spec.frequency} (${spec.cron})${spec.template ? `, template ${spec.template}` : ""}`));
  doc.text(
    `Entries: ${d.total.toLocaleString("en-US")} (${o("success")} success, ${o("failure")} failure, ${o("denied")} denied)`,
  );
  doc.text(safe(`Bundle ${ctx.bundleId}, seq ${ctx.firstSeq}-${ctx.lastSeq}`));
  heading(doc, "Top requesters");
  rows(
    doc,
    ["Requester", "Entries", "Denied"],
    d.topRequesters.map((r) => [r.key, r.count, r.denied]),
    [360, 70, 70],
  );
  heading(doc, "Top targets");
  rows(
    doc,
    ["Target", "Entries", "Denied"],
    d.topTargets.map((r) => [r.key, r.count, r.denied]),
    [360, 70, 70],
  );
  heading(doc, "Denials");
  rows(
    doc,
    ["Requester", "Target", "Denied"],
    d.deniedPairs.map((p) => [p.requester, p.target, p.count]),
    [215, 215, 70],
  );
  heading(doc, `New identities (${d.newIdentities.count} first seen in this period)`);
  rows(
    doc,
    ["Requester", "Entries", "First seen (UTC)"],
    d.newIdentities.listed.map((n) => [n.requester, n.count, n.firstSeen]),
    [290, 70, 140],
  );
  heading(doc, "Silent sources (ingest keys with no entry in the period)");
  doc.text(
    d.silentSources.length ? safe(d.silentSources.join(", ")) : "None: every active ingest key's source sent entries.",
  );
  heading(doc, "Alerts of the period");
  if (!d.alerts.length) doc.text("No alert fired, was acknowledged or resolved in this period.");
  else
    rows(
      doc,
      ["Seq", "Time (UTC)", "Change", "Rule"],
      d.alerts.map((a) => [String(a.seq), a.ts, a.action, a.ruleName]),
      [50, 140, 110, 200],
    );
  heading(doc, "Integrity and witnesses");
  doc.text(safe(`Checkpoint: ${ctx.origin}, tree size ${ctx.treeSize}, root ${ctx.rootHash}, key id ${ctx.keyId}`));
  const run = d.integrity;
  doc.text(
    run
      ? `Last ${run.mode} verification: ${run.status === "ok" ? "intact" : "FAILED"}, through seq ${run.verifiedThrough}`
      : "No verification run recorded yet.",
  );
  const w = ctx.witnesses;
  doc.text(
    safe(
      w
        ? `Witnesses: ${w.quorumMet ? "quorum met" : "fewer than the quorum"} (${w.quorum}): ${w.list.map((x) => `${x.name} ${x.cosigned ? "cosigned" : "did not cosign"}`).join(", ")}`
        : "Witnesses: none configured (the checkpoint is signed by the log's key only).",
    ),
  );
}

/** The report as PDF bytes. */
export function renderReportPdf(spec: ReviewReportSpec, ctx: ReportContext, d: ReportData): Promise<Uint8Array> {
  const created = new Date(ctx.createdAt);
  const doc = new PDFDocument({
    size: "A4",
    margin: 48,
    info: {
      Title: safe(spec.scheduleName),
      Producer: "Ledgerline",
      Creator: "Ledgerline",
      CreationDate: created,
      ModDate: created,
    },
  });
  const parts: Buffer[] = [];
  doc.on("data", (b: Buffer) => parts.push(b));
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on("end", () => resolve(new Uint8Array(Buffer.concat(parts))));
    doc.on("error", reject);
  });
  body(doc, spec, ctx, d);
  doc.end();
  return done;
}
