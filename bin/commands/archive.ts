// ledgerline archive list|verify [dir] — the archive written before pruning (docs/retention.md § Archive),
// checked offline like verify-bundle: no server, no database, no network; lib/core and Node's built-ins
// only. Each archive file is an evidence bundle (checks 1–5 and the pinned key, as verify-bundle), its
// `.receipts.zip` bundle proves the prune receipts that name it are in the signed log, and every
// receipt's SHA-256 over the pruned canonical bytes is recomputed from the archive's entries.
import fs from "node:fs";
import path from "node:path";
import {
  checkArchivedReceipts,
  parseArchiveName,
  receiptsFileName,
  receiptsNaming,
  type ReceiptCheck,
} from "@/lib/core/archive.ts";
import { verifyBundle, type BundleReport } from "@/lib/core/bundle/verify.ts";
import { bundleEventLines, nodeStreamHash, sha256File, withBundleFile } from "@/lib/node-bundle-file.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { CommandGroup } from "./kit.ts";
import { OwnUsageError, runWithOwnArgs } from "./own-args.ts";
import { PIN_OPTIONS, pinsFromArgs, type PinValues } from "./verify-pins.ts";

const USAGE = `Usage: ledgerline archive list [dir] [--json]
       ledgerline archive verify [dir] [--key <verifier key>]… [--witness <vkey>… [--quorum N]] [--trust-file f] [--json]

dir defaults to LEDGERLINE_ARCHIVE_DIR. verify checks every archive file offline: the bundle
itself (signature, checksums, checkpoint, every entry's leaf hash and inclusion proof — as
verify-bundle), its receipts bundle likewise, that each prune receipt names the file's SHA-256,
and that the archived entries of each receipt's ranges hash to the receipt's sha256.
Exit 0 every file verified against a pinned key, 1 any failure, 2 bad usage,
     3 every check passed but nothing was pinned (give --key, obtained out of band).`;

export const archiveCommand: CommandGroup = {
  name: "archive",
  usage: `  archive list [dir] [--json]
  archive verify [dir] [--key <verifier key>]… [--json]
                         the archive written before pruning (default LEDGERLINE_ARCHIVE_DIR):
                         list its monthly bundles, or check each offline — signature, proofs,
                         and that its entries hash to what the prune receipts say`,
  main: (argv) => runArchive(argv),
};

const OPTIONS = {
  ...PIN_OPTIONS,
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

async function runArchive(argv: string[]): Promise<number> {
  return runWithOwnArgs({ command: "archive", usage: USAGE, options: OPTIONS }, argv, async (p) => {
    const [sub, dirArg, ...extra] = p.positionals;
    if (extra.length || (sub !== "list" && sub !== "verify"))
      throw new OwnUsageError("say archive list [dir] or archive verify [dir]");
    const dir = dirArg ?? process.env.LEDGERLINE_ARCHIVE_DIR;
    if (!dir) throw new OwnUsageError("give the archive directory, or set LEDGERLINE_ARCHIVE_DIR");
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new OwnUsageError(`${dir} is not a directory`);
    const files = archiveFiles(dir);
    if (sub === "list") return listArchive(dir, files, p.values.json === true);
    return verifyArchive(dir, files, p.values);
  });
}

function archiveFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => parseArchiveName(n)?.receipts === false)
    .sort();
}

function listArchive(dir: string, files: string[], json: boolean): number {
  const rows = files.map((f) => {
    const name = parseArchiveName(f)!;
    return {
      file: f,
      month: name.month,
      policy: name.policy,
      treeSize: name.treeSize,
      bytes: fs.statSync(path.join(dir, f)).size,
      receipts: fs.existsSync(path.join(dir, receiptsFileName(f))),
    };
  });
  if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else if (!rows.length) process.stdout.write(`No archive files in ${dir}.\n`);
  else
    for (const r of rows)
      process.stdout.write(
        `${r.month}  ${r.policy}  ${r.file}  ${r.bytes} bytes  ${r.receipts ? "receipts bundle present" : "NO receipts bundle"}\n`,
      );
  return 0;
}

type FileResult = { file: string; status: "verified" | "unpinned" | "failed" | "unreferenced"; lines: string[] };

async function bundleReport(file: string, key: string[] | undefined, values: PinValues): Promise<BundleReport> {
  const pins = pinsFromArgs({ ...values, key: undefined }, (m) => new OwnUsageError(m));
  return withBundleFile(file, (src) =>
    verifyBundle(src, {
      key,
      witnesses: pins.policy,
      now: Math.floor(Date.now() / 1000),
      hasher: nodeHasher,
      streamHash: nodeStreamHash,
    }),
  );
}

const bundleLine = (what: string, r: BundleReport) =>
  r.verdict === "failed"
    ? `✘ ${what}: ${r.reason}${r.firstBadSeq !== null ? ` (first bad seq ${r.firstBadSeq})` : ""}`
    : `✔ ${what}: ${r.manifest?.count ?? 0} entries, proofs against tree size ${r.manifest?.checkpoint.treeSize}${r.verdict === "verified" ? ", signed by a pinned key" : ` (${r.verdict})`}`;

async function checkFile(dir: string, file: string, key: string[] | undefined, values: PinValues): Promise<FileResult> {
  const full = path.join(dir, file);
  const own = await bundleReport(full, key, values);
  const out: string[] = [bundleLine("archive bundle", own)];
  if (own.verdict === "failed") return { file, status: "failed", lines: out };
  const rfile = path.join(dir, receiptsFileName(file));
  if (!fs.existsSync(rfile)) {
    out.push(
      `! no receipts bundle (${receiptsFileName(file)}): no prune receipt here names this file. A prune interrupted before its receipt leaves such a file (nothing was pruned under it); otherwise run \`ledgerline prune\` on the server, which writes missing receipts bundles first.`,
    );
    return { file, status: "unreferenced", lines: out };
  }
  const rr = await bundleReport(rfile, key, values);
  out.push(bundleLine("receipts bundle", rr));
  if (rr.verdict === "failed") return { file, status: "failed", lines: out };
  const receipts = await bundleEventLines(rfile, (l) => receiptsNaming(l, file));
  const sha = sha256File(full);
  const checks: ReceiptCheck[] = receipts.map((r) =>
    r.archiveSha256 === sha
      ? { seq: r.seq, ok: true, detail: "" }
      : {
          seq: r.seq,
          ok: false,
          detail: `receipt seq ${r.seq} names SHA-256 ${r.archiveSha256}, the file's is ${sha}`,
        },
  );
  checks.push(...(await bundleEventLines(full, (l) => checkArchivedReceipts(l, receipts, nodeStreamHash))));
  if (!receipts.length)
    checks.push({ seq: 0, ok: false, detail: "the receipts bundle holds no receipt naming this file" });
  for (const c of checks) if (c.detail) out.push(`${c.ok ? "✔" : "✘"} ${c.detail}`);
  const failed = checks.some((c) => !c.ok);
  const status = failed ? "failed" : own.verdict === "verified" && rr.verdict === "verified" ? "verified" : "unpinned";
  return { file, status, lines: out };
}

async function verifyArchive(dir: string, files: string[], values: PinValues & { json?: boolean }): Promise<number> {
  const key = values.key?.length ? values.key : undefined;
  const results: FileResult[] = [];
  for (const [i, f] of files.entries()) {
    if (!values.json) process.stderr.write(`checking ${i + 1}/${files.length}: ${f}\n`);
    results.push(await checkFile(dir, f, key, values));
  }
  const failed = results.filter((r) => r.status === "failed").length;
  const unpinned = results.filter((r) => r.status === "unpinned").length;
  if (values.json) process.stdout.write(JSON.stringify({ dir, failed, files: results }, null, 2) + "\n");
  else {
    for (const r of results) process.stdout.write(`${r.file}: ${r.status.toUpperCase()}\n  ${r.lines.join("\n  ")}\n`);
    process.stdout.write(
      `\n${files.length} archive file(s): ${failed} failed, ${unpinned} unpinned${unpinned ? " (run again with --key, the deployment's key obtained out of band)" : ""}.\n`,
    );
  }
  if (failed) return 1;
  return unpinned ? 3 : 0;
}
