// Runs once when the Next.js server starts: open the ledger (migrations, the
// append-only guard check, signing key, demo seed, checkpoint timer) before the
// first request. A store without its guards is fatal: the process exits.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // A dynamic import, as Next.js documents: the edge runtime must never load the server.
  const { startServerRuntime } = await import("./lib/server/runtime/runtime.ts");
  await startServerRuntime();
}
