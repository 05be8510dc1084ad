// GET /api/v1/checkpoint — the latest signed checkpoint note, text/plain (public).
import { AppError } from "@/lib/server/errors.ts";
import { route } from "@/lib/server/http/problem.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";
import { latestCheckpoint } from "@/lib/server/proofs.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (_req, { requestId }) => {
  const cp = await latestCheckpoint(await getLedger());
  if (!cp) throw new AppError("not_found", "No checkpoint has been signed yet: the log is empty. Send an event first.");
  return new Response(cp.note, {
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId },
  });
});
