// GET /api/v1/proofs/consistency?from=A&to=B — RFC 9162 consistency proof (to defaults to the latest checkpoint).
import { AppError } from "@/lib/server/errors.ts";
import { json, route } from "@/lib/server/http/problem.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";
import { consistencyProof, intParam } from "@/lib/server/proofs.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (req, { requestId }) => {
  const url = new URL(req.url);
  const from = intParam(url, "from", 1);
  if (from === undefined) throw new AppError("bad_request", "Query parameter from is required, e.g. ?from=5&to=10.");
  return json(await consistencyProof(await getLedger(), from, intParam(url, "to", 1)), 200, requestId);
});
