#!/usr/bin/env node
// The `ledgerline` command. Runs bin/cli.ts under tsx with the "react-server"
// export condition, which lets it import the server modules (guarded by the
// `server-only` package) that the Next.js server uses — one code path for both.
import { spawn } from "node:child_process";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve("tsx")).href;
// The offline bundle verifier, the witness and the monitor have entries of their own that
// import no server code (they run on machines that are not the log's).
const args = process.argv.slice(2);
const OWN_ENTRY = { "verify-bundle": "verify-bundle.ts", witness: "witness.ts", monitor: "monitor.ts" };
const [entry, rest] = Object.hasOwn(OWN_ENTRY, args[0] ?? "") ? [OWN_ENTRY[args[0]], args.slice(1)] : ["cli.ts", args];
const child = spawn(process.execPath, ["--conditions=react-server", "--import", tsx, path.join(here, entry), ...rest], {
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
// Long-running commands (witness serve, monitor) stop cleanly on a signal sent to this
// wrapper's pid (systemd, kill): pass it on instead of dying and orphaning the child.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("error", (e) => {
  console.error(`ledgerline: could not start: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
