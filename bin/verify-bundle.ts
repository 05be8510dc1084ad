// `ledgerline verify-bundle`: the offline verifier's own entry point, so checking a
// bundle loads lib/core and fflate only — no server module, store or configuration.
import { runVerifyBundle } from "./commands/verify-bundle.ts";

process.exitCode = await runVerifyBundle(process.argv.slice(2));
