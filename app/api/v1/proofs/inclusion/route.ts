// GET /api/v1/proofs/inclusion?seq=N&treeSize=M — RFC 9162 inclusion proof (treeSize defaults to the latest checkpoint).
import { AppError } from "@/lib/server/errors.ts";
import { json, route } from "@/lib/server/http/problem.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";
import { inclusionProof, intParam } from "@/lib/server/proofs.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (req, { requestId }) => {
  const url = new URL(req.url);
  const seq = intParam(url, "seq", 1);
  if (seq === undefined) throw new AppError("bad_request", "Query parameter seq is required, e.g. ?seq=1&treeSize=10.");
  return json(await inclusionProof(await getLedger(), seq, intParam(url, "treeSize", 1)), 200, requestId);
});
