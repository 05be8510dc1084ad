// The entry of a bundle-building child process (see build-process.ts): opens the
// ledger with the parent's config, builds one bundle, reports progress and the
// result over the IPC channel, and exits. Run under tsx with the react-server
// condition, as the CLI is (bin/ledgerline.mjs).
import "server-only";
import fs from "node:fs";
import type { Config } from "../config.ts";
import { openLedger } from "../ledger/ledger.ts";
import { BundleBuildError, buildBundle, type BuildRequest } from "./build.ts";

export type ChildMessage =
  | { type: "progress"; done: number; total: number }
  | { type: "done"; result: Awaited<ReturnType<typeof buildBundle>>; peakRssKiB: number }
  | { type: "failed"; known: boolean; message: string };

/**
 * This process's own peak resident set, KiB. Linux's getrusage ru_maxrss is not it: a child
 * starts as a fork of its parent and keeps the parent's high-water mark across exec, so a child of
 * a 2 GB process reported 1.7 GB for a 200 MB build. VmHWM belongs to the process's own memory map.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const send = (m: ChildMessage) => new Promise<void>((r) => process.send!(m, undefined, undefined, () => r()));

async function main(): Promise<void> {
  const { config, req } = JSON.parse(process.env.LEDGERLINE_BUNDLE_JOB ?? "null") as {
    config: Config;
    req: BuildRequest;
  };
  // No writer thread: the child appends nothing, and compiled into node_modules/.cache it
  // could not find the thread's entry beside it anyway.
  const ledger = await openLedger(config, { checkStore: false, writerThread: false });
  try {
    const result = await buildBundle(ledger, req, (done, total) => send({ type: "progress", done, total }));
    await send({ type: "done", result, peakRssKiB: peakRssKiB() });
  } catch (e) {
    await send({
      type: "failed",
      known: e instanceof BundleBuildError,
      message: e instanceof BundleBuildError ? e.message : ((e as Error).stack ?? String(e)),
    });
  } finally {
    await ledger.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`[ledgerline] bundle child: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
