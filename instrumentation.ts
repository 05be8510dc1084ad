// Runs once when the Next.js server starts: stamp each request with its TCP
// peer (the only client IP a client cannot choose; lib/server/auth/client-ip.ts),
// then open the ledger (migrations, the append-only guard check, signing key,
// demo seed, checkpoint timer) before the first request. A store without its
// guards is fatal: the process exits.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // Before anything serves a request: stamp each request with its TCP peer address (client-ip.ts).
  const { installPeerAddressStamp } = await import("./lib/server/auth/client-ip.ts");
  installPeerAddressStamp();
  // A dynamic import, as Next.js documents: the edge runtime must never load the server.
  const { startServerRuntime } = await import("./lib/server/runtime/runtime.ts");
  await startServerRuntime();
}
