// npm start: build the app when the build is missing or older than the
// sources, then serve it with `next start` on $PORT (default 3000).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const next = require.resolve("next/dist/bin/next");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const f of fs.readdirSync(p)) {
    if (f === "node_modules" || f === "generated" || f.startsWith(".")) continue;
    m = Math.max(m, newest(path.join(p, f)));
  }
  return m;
}

const buildId = path.join(".next", "BUILD_ID");
const sources = [
  "app",
  "components",
  "lib",
  "public",
  "instrumentation.ts",
  "proxy.ts",
  "next.config.js",
  "package-lock.json",
];
const built = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
if (!built || Math.max(...sources.map(newest)) > built) {
  console.log(
    built
      ? "[ledgerline] sources changed since the last build; rebuilding…"
      : "[ledgerline] first start: building the dashboard (about 30 s)…",
  );
  const b = spawnSync(process.execPath, [next, "build"], { stdio: "inherit", env });
  if (b.status !== 0) {
    console.error("[ledgerline] the build failed; see the messages above.");
    process.exit(b.status ?? 1);
  }
}
const port = process.env.PORT || "3000";
const s = spawnSync(process.execPath, [next, "start", "-p", port, ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(s.status ?? 1);
