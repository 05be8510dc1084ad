import "server-only";
import { decimalIntSchema } from "@/lib/schemas/api-params.ts";
import { AppError } from "../errors.ts";
import { endpoint, parseParam, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { latestCosignedCheckpoint } from "../cosigning/served.ts";
import { consistencyProof, inclusionProof, publishedKeys } from "./proofs.ts";

// The verifier-facing routes of SPEC §4 (all public): checkpoint, keys, proofs.

/** An optional integer query parameter ≥ min; absent or empty → undefined. */
function intQuery(url: URL, name: string, min: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return undefined;
  return parseParam(decimalIntSchema(min), v, name, (raw) => ({
    detail: `must be an integer ≥ ${min}`,
    message: `Query parameter ${name} must be an integer ≥ ${min} (got "${raw}").`,
  }));
}

/** A required integer query parameter ≥ 1, with an example of a whole query when absent. */
function requiredIntQuery(url: URL, name: string, example: string): number {
  const v = intQuery(url, name, 1);
  if (v === undefined) throw new AppError("bad_request", `Query parameter ${name} is required, e.g. ${example}.`);
  return v;
}

export function transparencyRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/checkpoint — the latest signed checkpoint note with its witness cosignature lines, text/plain (public).
    getCheckpoint: endpoint(deps, async (_req, { requestId, rt }) => {
      const cp = await latestCosignedCheckpoint(rt.db);
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
    getKeys: endpoint(deps, async (_req, { requestId, rt }) =>
      json({ origin: rt.config.origin, keys: await publishedKeys(rt) }, 200, requestId),
    ),

    // GET /api/v1/proofs/inclusion?seq=N&treeSize=M — treeSize defaults to the latest checkpoint.
    getInclusionProof: endpoint(deps, async (req, { requestId, rt }) => {
      const url = new URL(req.url);
      const seq = requiredIntQuery(url, "seq", "?seq=1&treeSize=10");
      return json(await inclusionProof(rt, seq, intQuery(url, "treeSize", 1)), 200, requestId);
    }),

    // GET /api/v1/proofs/consistency?from=A&to=B — to defaults to the latest checkpoint.
    getConsistencyProof: endpoint(deps, async (req, { requestId, rt }) => {
      const url = new URL(req.url);
      const from = requiredIntQuery(url, "from", "?from=5&to=10");
      return json(await consistencyProof(rt, from, intQuery(url, "to", 1)), 200, requestId);
    }),
  };
}
