// Preloaded (NODE_OPTIONS=--import) into every Node process of a measured command: at exit each
// appends its pid and its own peak RSS (KiB) to LEDGERLINE_MAXRSS_FILE. See peak-rss.ts.
// VmHWM, not getrusage's ru_maxrss: a child keeps its parent's high-water mark across fork + exec,
// so ru_maxrss of a child of a large process reports the parent's size.
import fs from "node:fs";

function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

process.on("exit", () => {
  const file = process.env.LEDGERLINE_MAXRSS_FILE;
  if (file) fs.appendFileSync(file, `${process.pid} ${peakRssKiB()}\n`);
});
