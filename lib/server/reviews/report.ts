import "server-only";
import { REPORT_FILES, type BundleReview, type BundleWitnesses } from "@/lib/core/bundle/format.ts";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { toBase64, utf8 } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { collectReportData, type ReportContext, type ReviewReportSpec } from "./report-data.ts";
import { renderReportHtml } from "./report-html.ts";
import { renderReportPdf } from "./report-pdf.ts";

// A review pack's report files, made inside the bundle build (bundles/build.ts) once the
// entries are spooled and the checkpoint's witnesses are known, so the files go into the
// same SHA256SUMS the log's key signs.

export type { ReviewReportSpec } from "./report-data.ts";

/** What the build knows when the report is made: the bundle, its checkpoint and witnesses, its span of entries. */
export type ReportBuild = {
  id: string;
  createdAt: string;
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  key: { keyIdHex: string; fingerprint: string };
  witnesses?: BundleWitnesses;
  span: { count: number; firstSeq: number; lastSeq: number };
};

/** report.html and report.pdf (placed just before SHA256SUMS), and what the manifest says about the review. */
export async function reviewReportFiles(
  db: SqlDriver,
  spec: ReviewReportSpec,
  filter: EventFilter,
  b: ReportBuild,
): Promise<{ files: Map<string, Uint8Array>; review: BundleReview }> {
  const ctx: ReportContext = {
    bundleId: b.id,
    createdAt: b.createdAt,
    origin: b.origin,
    ...b.span,
    treeSize: b.treeSize,
    rootHash: toBase64(b.rootHash),
    keyId: b.key.keyIdHex,
    fingerprint: b.key.fingerprint,
    witnesses: b.witnesses,
  };
  const data = await collectReportData(db, spec, filter);
  if (data.total !== ctx.count)
    throw new Error(`the report counted ${data.total} entries but the bundle holds ${ctx.count}`);
  const files = new Map<string, Uint8Array>([
    [REPORT_FILES.html, utf8(renderReportHtml(spec, ctx, data))],
    [REPORT_FILES.pdf, await renderReportPdf(spec, ctx, data)],
  ]);
  const review: BundleReview = {
    schedule: spec.scheduleName,
    scheduleId: spec.scheduleId,
    view: spec.viewName,
    periodStart: spec.periodStart,
    periodEnd: spec.periodEnd,
    timeZone: spec.timeZone,
    report: [...files.keys()],
  };
  return { files, review };
}
