import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Ledger } from "../ledger/ledger.ts";
import { compiledEntry, tsxLoader, type EntrySources } from "../runtime/compiled-entry.ts";
import { BundleBuildError, buildBundle, type BuildRequest, type BuildResult } from "./build.ts";
import type { ChildMessage } from "./build-child.ts";

// Evidence bundles are built in a child process with a capped V8 heap. The build
// streams (a few MiB live), but in a long-lived server V8 lets the old generation
// grow lazily with the garbage of a million entries' lines and proofs: a 100 k
// bundle took the server from ~150 to ~350 MiB RSS, and it never gives it back.
// A child with --max-old-space-size=BUNDLE_HEAP_MIB collects early, stays flat
// whatever the bundle's size, returns everything at exit, and keeps the build's
// CPU off the server's event loop.

/** Old-generation cap of the build child (MiB); the live set of a build is far below it. */
const BUNDLE_HEAP_MIB = 96;
/**
 * Young-generation semi-space (MiB). A build makes ~1 KiB of short-lived strings per entry (its
 * JSON line, proof, CSV row); at 4 MiB the child spent 23 % of its time in the scavenger. 16 MiB:
 * 100 k entries 9.4 → 8.6 s for +16 MiB peak RSS (issue 16). Not more: young space near the old
 * generation's cap turns scavenges into full collections (32 MiB took 3.6× as long).
 */
const BUNDLE_SEMI_SPACE_MIB = 16;

/**
 * The child entry, resolved at run time from the project root (LEDGERLINE_ROOT, else the
 * working directory `next start` runs in): Next.js bundles route code, so the child must be a
 * file it does not bundle. Null when the sources are not deployed beside the build: then the
 * build runs in-process.
 */
function childSources(): EntrySources | null {
  // turbopackIgnore: a path read at run time, not a module for Next.js to trace or bundle.
  const root = process.env.LEDGERLINE_ROOT ?? process.cwd();
  const entry = path.join(/* turbopackIgnore: true */ root, "lib/server/bundles/build-child.ts");
  const tsconfig = path.join(/* turbopackIgnore: true */ root, "tsconfig.json");
  if (!fs.existsSync(entry) || !fs.existsSync(tsconfig)) return null;
  return { root, entry, tsconfig };
}

/** The child's command line after the node flags: the compiled module, else the sources under tsx. */
export async function childCommand(): Promise<string[] | null> {
  const src = childSources();
  return src && childArgs(src);
}

async function childArgs(src: EntrySources): Promise<string[] | null> {
  const file = await compiledEntry(src, "bundle-child");
  if (file) return [file];
  const tsx = tsxLoader(src.root);
  return tsx ? ["--import", tsx, src.entry] : null;
}

/**
 * Builds like buildBundle, in a capped child process when the sources are at hand
 * (`peakRssMiB`: the child's peak resident set; absent when built in-process).
 */
export async function buildBundleIsolated(
  ledger: Ledger,
  req: BuildRequest,
  onProgress: (done: number, total: number) => Promise<void> | void,
): Promise<BuildResult & { peakRssMiB?: number }> {
  const src = childSources();
  const args = src && (await childArgs(src));
  if (!src || !args) return buildBundle(ledger, req, onProgress);
  const argv = [
    `--max-old-space-size=${BUNDLE_HEAP_MIB}`,
    `--max-semi-space-size=${BUNDLE_SEMI_SPACE_MIB}`,
    "--conditions=react-server",
    ...args,
  ];
  const proc = spawn(process.execPath, argv, {
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      TSX_TSCONFIG_PATH: src.tsconfig,
      LEDGERLINE_BUNDLE_JOB: JSON.stringify({ config: ledger.config, req }),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let settled: ChildMessage | null = null;
    let progress = Promise.resolve();
    proc.on("message", (m: ChildMessage) => {
      if (m.type === "progress") progress = progress.then(() => onProgress(m.done, m.total));
      else settled = m;
    });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      void progress.then(() => {
        const m = settled as ChildMessage | null;
        if (m?.type === "done") resolve({ ...m.result, peakRssMiB: m.peakRssKiB / 1024 });
        else if (m?.type === "failed")
          reject(m.known ? new BundleBuildError(m.message) : new Error(`bundle child: ${m.message}`));
        else reject(new Error(`the bundle build process exited (${signal ?? code}) without a result`));
      }, reject);
    });
  });
}
