// `ledgerline monitor`: the standalone monitor's own entry point, so running one loads
// lib/core and lib/monitor only — no server module, store or configuration.
import { runMonitor } from "./commands/monitor.ts";

process.exitCode = await runMonitor(process.argv.slice(2));
