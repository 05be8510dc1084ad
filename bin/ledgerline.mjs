#!/usr/bin/env node
// The `ledgerline` command. Runs bin/cli.ts under tsx with the "react-server"
// export condition, which lets it import the server modules (guarded by the
// `server-only` package) that the Next.js server uses — one code path for both.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve("tsx")).href;
// The offline bundle verifier has an entry of its own that imports no server code.
const args = process.argv.slice(2);
const [entry, rest] = args[0] === "verify-bundle" ? ["verify-bundle.ts", args.slice(1)] : ["cli.ts", args];
const r = spawnSync(process.execPath, ["--conditions=react-server", "--import", tsx, path.join(here, entry), ...rest], {
  stdio: "inherit",
  // tsx looks for tsconfig.json (the `@/` paths) in the working directory; point it
  // at the project's, so the command works from any folder (an assessor's laptop).
  env: {
    LEDGERLINE_ROOT: path.resolve(here, ".."),
    NEXT_TELEMETRY_DISABLED: "1",
    TSX_TSCONFIG_PATH: path.resolve(here, "../tsconfig.json"),
    ...process.env,
  },
});
if (r.error) {
  console.error(`ledgerline: could not start: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? (r.signal ? 128 : 1));
