// Runs once when the Next.js server starts: open the ledger (migrations, the
// append-only guard check, signing key, demo seed, checkpoint timer) before the
// first request. A store without its guards is fatal: the process exits.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServerLedger } = await import("./lib/server/ledger/ledger.ts");
  await startServerLedger();
}
