// `ledgerline witness`: the standalone witness's own entry point, so running one loads
// lib/core and lib/witness only — no server module, store or configuration.
import { runWitness } from "./commands/witness.ts";

process.exitCode = await runWitness(process.argv.slice(2));
