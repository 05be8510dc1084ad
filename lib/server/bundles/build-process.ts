import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Ledger } from "../ledger/ledger.ts";
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
 * The child entry and the tsx loader, resolved at run time from the project root
 * (LEDGERLINE_ROOT, else the working directory `next start` runs in): Next.js
 * bundles route code, so the child must be a file it does not bundle. Null when
 * the sources are not deployed beside the build: then the build runs in-process.
 */
function childEntry(): { entry: string; tsx: string; tsconfig: string } | null {
  // turbopackIgnore: a path read at run time, not a module for Next.js to trace or bundle.
  const root = process.env.LEDGERLINE_ROOT ?? process.cwd();
  const entry = path.join(/* turbopackIgnore: true */ root, "lib/server/bundles/build-child.ts");
  const tsconfig = path.join(/* turbopackIgnore: true */ root, "tsconfig.json");
  if (!fs.existsSync(entry) || !fs.existsSync(tsconfig)) return null;
  try {
    const tsx = pathToFileURL(
      createRequire(path.join(/* turbopackIgnore: true */ root, "package.json")).resolve("tsx"),
    ).href;
    return { entry, tsx, tsconfig };
  } catch {
    return null;
  }
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
  const child = childEntry();
  if (!child) return buildBundle(ledger, req, onProgress);
  const argv = [
    `--max-old-space-size=${BUNDLE_HEAP_MIB}`,
    "--max-semi-space-size=4",
    "--conditions=react-server",
    "--import",
    child.tsx,
    child.entry,
  ];
  const proc = spawn(process.execPath, argv, {
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      TSX_TSCONFIG_PATH: child.tsconfig,
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
