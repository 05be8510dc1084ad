// ledgerline verify-bundle <file.zip> [--key <verifier key | PEM file>]… [--witness <vkey>… --quorum N]
// [--trust-file f] [--json] — the offline
// verifier an external assessor runs: no server, no database, no network. It imports only
// lib/core (and fflate through it), Node's built-ins and lib/node-hasher.ts (Node's SHA-256
// passed to the core as its hasher), streams the ZIP through the strict reader piece by
// piece (nothing is extracted to disk, no member is held whole: memory stays flat for a
// bundle of any size), and checks the five SPEC §5 conditions.
// A bundle carries its own public key, so without a pinned key the best it can be is
// "consistent but unpinned" (exit 3) — whoever holds any key, the operator included, can
// produce that. Only a pinned key, or a quorum of pinned witnesses' cosignatures on its
// checkpoint, makes it VERIFIED (exit 0). Pins are read by verify-pins.ts, shared with verify-log.

import fs from "node:fs";
import { personalLines } from "@/lib/core/bundle/personal-report.ts";
import { verifyBundle, type BundleReport } from "@/lib/core/bundle/verify.ts";
import { fileSource, nodeStreamHash } from "@/lib/node-bundle-file.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { CommandGroup } from "./kit.ts";
import { OwnUsageError, runWithOwnArgs } from "./own-args.ts";
import { PIN_OPTIONS, pinsFromArgs, type PinValues } from "./verify-pins.ts";

/** The exit codes, documented in the usage text, docs/bundles.md and every bundle's VERIFY.txt. */
export const VERIFY_EXIT = { verified: 0, failed: 1, usage: 2, unpinned: 3, "no-quorum": 4 } as const;

export const VERIFY_BUNDLE_USAGE = `Usage: ledgerline verify-bundle <bundle.zip> [--key <verifier key string | public-key PEM file>]…
         [--witness <witness vkey>… [--quorum N]] [--trust-file <file>] [--json]

Checks an evidence bundle offline: the ZIP is safe, SHA256SUMS.sig signs SHA256SUMS, every file
matches SHA256SUMS, the checkpoint is signed by the same key, every entry's leaf hash and inclusion
proof, and the manifest's count, seqs and filter — and that it is pinned: signed by a key you gave
with --key (repeat it for a deployment's current and retired keys; rotation statements the bundle
carries lead from a pinned key to its successors), and/or its checkpoint cosigned by a quorum of
the witnesses you gave with --witness (cosignature/v1; --quorum defaults to all of them).
--trust-file takes one verifier key per line, or a C2SP tlog-policy file (log and witness keys,
quorum), as verify-log does. Get keys out of band (GET /api/v1/keys, the integrity page, the
witness operators) — never from the bundle. It prints which keys and witnesses it trusted and why.

Exit 0 VERIFIED (every check passed; signed by a pinned key or cosigned by a quorum of pinned witnesses)
     1 NOT VERIFIED (a check failed, the key is not one you pinned, or a pinned witness's line is forged)
     2 bad usage
     3 CONSISTENT BUT UNPINNED (every check passed, but nothing was pinned: the bundle is only
       signed by the key it carries itself — run again with --key or --witness)
     4 QUORUM NOT MET (every check passed, but fewer of your --witness keys cosigned the bundle's
       checkpoint than --quorum: build a bundle on a later, witnessed checkpoint)`;

// The offline verifier: lib/core only, no store, no configuration; options of its own.
export const verifyBundleCommand: CommandGroup = {
  name: "verify-bundle",
  usage: `  verify-bundle <bundle.zip> [--key <verifier key | PEM file>]… [--json]
             [--witness <witness vkey>… [--quorum N]] [--trust-file <file>]
                         check an evidence bundle offline (no store or network needed)
                         against the keys and witnesses you pin; exit 0 verified, 1 not,
                         2 usage, 3 consistent but unpinned (nothing pinned), 4 quorum of
                         pinned witnesses not met`,
  main: (argv) => runVerifyBundle(argv),
};

const MAX_ZIP_BYTES = 4 * 1024 * 1024 * 1024 - 1;

function keyArg(v: string): string {
  // A path to a PEM (or to a file holding the verifier key string), else the string itself.
  if (!v.includes("+") && fs.existsSync(v)) {
    try {
      return fs.readFileSync(v, "utf8");
    } catch (e) {
      throw new OwnUsageError(`--key ${v}: ${(e as Error).message}`);
    }
  }
  return v;
}

function render(file: string, r: BundleReport): string {
  const tty = process.stdout.isTTY;
  const paint = (code: number, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [`Bundle ${file}${r.manifest ? ` (${r.manifest.format}, id ${r.manifest.bundleId})` : ""}`, ""];
  for (const c of r.checks) {
    const mark = c.status === "pass" ? paint(32, "✔") : c.status === "fail" ? paint(31, "✘") : paint(33, "!");
    out.push(`${mark} ${c.label.padEnd(4)} ${c.title}`);
    out.push(`       ${c.detail}${c.firstBadSeq !== undefined ? ` (first bad seq ${c.firstBadSeq})` : ""}`);
  }
  out.push("");
  if (r.manifest) {
    const m = r.manifest;
    out.push(
      `Contents: ${m.count} entries${m.count ? ` (seq ${m.firstSeq}…${m.lastSeq})` : ""} of ${m.origin}, proven against tree size ${m.checkpoint.treeSize}`,
      `Created ${m.createdAt} by ${m.createdBy}; filter ${JSON.stringify(m.filter)}`,
    );
  }
  out.push(...personalLines(r.personal));
  if (r.key) out.push(`Signing key: fingerprint ${r.key.fingerprint}${r.key.keyId ? `, key id ${r.key.keyId}` : ""}`);
  out.push(`Witness cosignatures on checkpoint.txt: ${r.witnesses.lines}`);
  out.push(
    "Trusted:",
    ...(r.trusted.length ? r.trusted.map((t) => `  ${t}`) : ["  nothing (no --key, --witness or --trust-file)"]),
  );
  out.push("", ...verdictLines(file, r, paint));
  return out.join("\n") + "\n";
}

function verdictLines(file: string, r: BundleReport, paint: (code: number, s: string) => string): string[] {
  switch (r.verdict) {
    case "verified":
      return [paint(32, "VERIFIED")];
    case "failed":
      return [paint(31, "NOT VERIFIED: see the ✘ lines above")];
    case "no-quorum":
      return [
        paint(31, "QUORUM NOT MET — not verified"),
        "Every check passed, but too few of the witnesses you pinned cosigned this bundle's checkpoint",
        "(the ✘ wit line says who did). Create the bundle again once the witnesses have cosigned a newer checkpoint.",
      ];
    default:
      return [
        paint(33, "CONSISTENT BUT UNPINNED — not verified"),
        "Every check passed, but only against the key this bundle carries itself: anyone holding a key,",
        "the operator included, can make such a bundle. Pin the key the deployment publishes (GET /api/v1/keys,",
        "the integrity page) or its witnesses, obtained out of band, and run again:",
        `ledgerline verify-bundle ${file} --key '<verifier key>'   (or --witness '<witness vkey>'… --quorum N)`,
      ];
  }
}

const OPTIONS = {
  ...PIN_OPTIONS,
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function runVerifyBundle(argv: string[]): Promise<number> {
  return runWithOwnArgs({ command: "verify-bundle", usage: VERIFY_BUNDLE_USAGE, options: OPTIONS }, argv, (p) =>
    verifyFile(p.positionals, p.values),
  );
}

async function verifyFile(positionals: string[], values: PinValues & { json?: boolean }): Promise<number> {
  if (positionals.length !== 1)
    throw new OwnUsageError("give exactly one bundle file, e.g. ledgerline verify-bundle bundle.zip");
  const file = positionals[0]!;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new OwnUsageError(`${file}: no such file`);
  }
  if (!st.isFile()) throw new OwnUsageError(`${file} is not a file (give the bundle's .zip, not an unpacked folder)`);
  if (st.size > MAX_ZIP_BYTES) throw new OwnUsageError(`${file} is larger than 4 GiB; no bundle is`);
  // --key may name a PEM file, so it is read here; the rest pins as verify-log pins.
  const pins = pinsFromArgs({ ...values, key: undefined }, (m) => new OwnUsageError(m));
  const given = [...(values.key ?? []).map(keyArg), ...pins.keys.map((k) => k.verifierKey)];
  const key = given.length ? given : undefined;
  const fd = fs.openSync(file, "r");
  let last = 0;
  // The archive is read piece by piece, never whole: memory stays flat whatever the bundle's size.
  const report = await verifyBundle(fileSource(fd, st.size), {
    key,
    witnesses: pins.policy,
    now: Math.floor(Date.now() / 1000),
    // Node's native SHA-256: the same digests as the browser's, faster on large bundles.
    hasher: nodeHasher,
    streamHash: nodeStreamHash,
    onProgress: (done, total) => {
      if (!process.stderr.isTTY || values.json) return;
      const now = Date.now();
      if (now - last > 500 || done === total) {
        last = now;
        process.stderr.write(`\rchecking entries… ${done} / ${total}${done === total ? "\n" : ""}`);
      }
    },
  });
  fs.closeSync(fd);
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + "\n" : render(file, report));
  return VERIFY_EXIT[report.verdict];
}
