import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const preload = path.join(import.meta.dirname, "report-max-rss.mjs");

/**
 * Runs a Node command (e.g. bin/ledgerline.mjs, which runs the CLI in a child Node process) and
 * measures the largest peak RSS of any of its Node processes, as GNU time's "Maximum resident set
 * size" would for the process tree, without needing GNU time: each process reports its own
 * ru_maxrss at exit through a preloaded module. NaN when no process reported (killed).
 */
export function runMeasured(
  args: string[],
  opts: Omit<SpawnSyncOptionsWithStringEncoding, "encoding"> = {},
): { status: number | null; stdout: string; stderr: string; peakRssMiB: number } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ll-maxrss-")), "maxrss");
  try {
    const r = spawnSync(process.execPath, args, {
      maxBuffer: 16 * 1024 * 1024,
      ...opts,
      encoding: "utf8",
      env: {
        ...(opts.env ?? process.env),
        NODE_OPTIONS: `--import ${pathToFileURL(preload).href}`,
        LEDGERLINE_MAXRSS_FILE: file,
      },
    });
    const kib = fs.existsSync(file)
      ? fs
          .readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((l) => Number(l.split(" ")[1]))
      : [];
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      peakRssMiB: kib.length ? Math.max(...kib) / 1024 : NaN,
    };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
