// POST /api/v1/events — ingest one event, a JSON array, or NDJSON (SPEC §1).
import { ingest } from "@/lib/server/ingest.ts";
import { json, route } from "@/lib/server/http/problem.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";

export const dynamic = "force-dynamic";

export const POST = route(async (req, { requestId }) => {
  const ledger = await getLedger();
  const r = await ingest(ledger, req);
  return json(r.body, r.status, requestId);
});
