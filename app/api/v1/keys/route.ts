// GET /api/v1/keys — verifier key strings and SPKI PEMs of current and retired signing keys (public).
import { json, route } from "@/lib/server/http/problem.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";
import { publishedKeys } from "@/lib/server/proofs.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (_req, { requestId }) => {
  const ledger = await getLedger();
  return json({ origin: ledger.config.origin, keys: await publishedKeys(ledger) }, 200, requestId);
});
