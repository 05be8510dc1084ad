import "server-only";
import { AppError } from "../errors.ts";
import { ingest } from "../ingest/ingest.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { consistencyProof, inclusionProof, intParam, latestCheckpoint, publishedKeys } from "../transparency/proofs.ts";
import { json, route } from "./problem.ts";

// The /api/v1 handlers, built over a ledger getter so the app routes and the
// integration tests run exactly the same code (tests pass their own ledger).

export function v1Routes(getLedger: () => Promise<Ledger>) {
  return {
    // POST /api/v1/events — ingest one event, a JSON array, or NDJSON (SPEC §1).
    postEvents: route(async (req, { requestId }) => {
      const r = await ingest(await getLedger(), req);
      return json(r.body, r.status, requestId);
    }),

    // GET /api/v1/checkpoint — the latest signed checkpoint note, text/plain (public).
    getCheckpoint: route(async (_req, { requestId }) => {
      const cp = await latestCheckpoint(await getLedger());
      if (!cp)
        throw new AppError("not_found", "No checkpoint has been signed yet: the log is empty. Send an event first.");
      return new Response(cp.note, {
        status: 200,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "cache-control": "no-store",
          "x-request-id": requestId,
        },
      });
    }),

    // GET /api/v1/keys — verifier keys and SPKI PEMs of current and retired signing keys (public).
    getKeys: route(async (_req, { requestId }) => {
      const ledger = await getLedger();
      return json({ origin: ledger.config.origin, keys: await publishedKeys(ledger) }, 200, requestId);
    }),

    // GET /api/v1/proofs/inclusion?seq=N&treeSize=M — treeSize defaults to the latest checkpoint.
    getInclusionProof: route(async (req, { requestId }) => {
      const url = new URL(req.url);
      const seq = intParam(url, "seq", 1);
      if (seq === undefined)
        throw new AppError("bad_request", "Query parameter seq is required, e.g. ?seq=1&treeSize=10.");
      return json(await inclusionProof(await getLedger(), seq, intParam(url, "treeSize", 1)), 200, requestId);
    }),

    // GET /api/v1/proofs/consistency?from=A&to=B — to defaults to the latest checkpoint.
    getConsistencyProof: route(async (req, { requestId }) => {
      const url = new URL(req.url);
      const from = intParam(url, "from", 1);
      if (from === undefined)
        throw new AppError("bad_request", "Query parameter from is required, e.g. ?from=5&to=10.");
      return json(await consistencyProof(await getLedger(), from, intParam(url, "to", 1)), 200, requestId);
    }),
  };
}
