// Preloaded (NODE_OPTIONS=--import) into every Node process of a measured command: at exit each
// appends its pid and its own peak RSS (getrusage ru_maxrss, KiB) to LEDGERLINE_MAXRSS_FILE.
// See peak-rss.ts.
import fs from "node:fs";

process.on("exit", () => {
  const file = process.env.LEDGERLINE_MAXRSS_FILE;
  if (file) fs.appendFileSync(file, `${process.pid} ${process.resourceUsage().maxRSS}\n`);
});
