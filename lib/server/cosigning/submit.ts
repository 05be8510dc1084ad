import "server-only";
import { splitNote } from "@/lib/core/note.ts";
import {
  SIZE_CONTENT_TYPE,
  checkCosignatures,
  cosignatureTimestamp,
  formatAddCheckpoint,
  parseSizeResponse,
  type Cosigner,
} from "@/lib/core/tlog/index.ts";

// One tlog-witness add-checkpoint exchange (https://c2sp.org/tlog-witness §add-checkpoint)
// and what its answer means for this log. Pure of state: cosigner.ts decides what to send
// and what to do next.

export type Submission = {
  url: string;
  cosigner: Cosigner;
  /** The log-signed checkpoint note (no cosignatures). */
  note: string;
  /** The note's text (the signed checkpoint body), what a cosignature/v1 signs. */
  text: string;
  treeSize: number;
  oldSize: number;
  proof: Uint8Array[];
  timeoutMs: number;
};

export type SubmitOutcome =
  /** 200: the witness's cosignature lines, each verified against its key over our checkpoint. */
  | { kind: "cosigned"; lines: Array<{ line: string; keyId: string; timestamp: number }> }
  /** 409 text/x.tlog.size: the witness last cosigned `size` for this log (our old size was wrong). */
  | { kind: "size"; size: number }
  /**
   * The witness holds a tree this checkpoint is not consistent with: 409 with the same size
   * and a different root, or 422 against a proof from our own tree. Log misbehaviour.
   */
  | { kind: "fork"; detail: string }
  /** 403 / 404: the witness does not accept this log's key or origin (configuration, or a swapped key). */
  | { kind: "refused"; status: number; detail: string }
  /** 429: come back after `retryAfterMs`. */
  | { kind: "busy"; retryAfterMs: number }
  /** Anything else (network, timeout, 5xx, a malformed or invalid answer): try again later. */
  | { kind: "error"; detail: string };

const MAX_ANSWER_BYTES = 64 * 1024;

async function text(res: Response): Promise<string> {
  const body = await res.text();
  return body.length > MAX_ANSWER_BYTES ? body.slice(0, MAX_ANSWER_BYTES) : body;
}

/** Sends one add-checkpoint request and classifies the answer. Never throws. */
export async function submitCheckpoint(s: Submission): Promise<SubmitOutcome> {
  let res: Response;
  try {
    res = await fetch(`${s.url}/add-checkpoint`, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: formatAddCheckpoint({ oldSize: s.oldSize, proof: s.proof, checkpoint: s.note }),
      signal: AbortSignal.timeout(s.timeoutMs),
      redirect: "error",
    });
  } catch (e) {
    const err = e as Error;
    const why = err.name === "TimeoutError" ? `no answer within ${s.timeoutMs} ms` : (err.cause as Error)?.message;
    return { kind: "error", detail: `request failed: ${why ?? err.message}` };
  }
  let body: string;
  try {
    body = await text(res);
  } catch (e) {
    return { kind: "error", detail: `answer ${res.status} could not be read: ${(e as Error).message}` };
  }
  const said = body.trim().slice(0, 300);
  switch (res.status) {
    case 200:
      return cosigned(s, body);
    case 409: {
      // §add-checkpoint: a 409 for a wrong old size carries the latest cosigned size as
      // text/x.tlog.size; a 409 without it answers "same size, different root".
      const size = (res.headers.get("content-type") ?? "").startsWith(SIZE_CONTENT_TYPE)
        ? parseSizeResponse(body)
        : undefined;
      if (size !== undefined) return { kind: "size", size };
      return { kind: "fork", detail: `409 for size ${s.treeSize} (old ${s.oldSize}): ${said}` };
    }
    case 422:
      // Our proof is computed from our own stored tree: if it does not verify against the
      // root the witness cosigned at old size, the witness saw another tree at that size.
      if (s.proof.length > 0)
        return { kind: "fork", detail: `422 for the proof ${s.oldSize} → ${s.treeSize}: ${said}` };
      return { kind: "error", detail: `422: ${said}` };
    case 403:
    case 404:
      return { kind: "refused", status: res.status, detail: said };
    case 429: {
      const after = Number(res.headers.get("retry-after"));
      return { kind: "busy", retryAfterMs: (Number.isFinite(after) && after > 0 ? after : 5) * 1000 };
    }
    default:
      return { kind: "error", detail: `answer ${res.status}: ${said}` };
  }
}

/**
 * §add-checkpoint: "the response body MUST be a sequence of one or more note signature
 * lines". Each is checked as a cosignature/v1 by this witness over our checkpoint text
 * (c2sp.org/tlog-cosignature); lines of other keys are ignored, an invalid one refuses all.
 */
function cosigned(s: Submission, body: string): SubmitOutcome {
  if (!body.endsWith("\n") || body.length < 3)
    return { kind: "error", detail: "200 without signature lines (each must end in a newline)" };
  const parsed = splitNote(`${s.text}\n${body}`);
  if (!parsed.ok) return { kind: "error", detail: `200 with malformed signature lines: ${parsed.reason}` };
  const check = checkCosignatures(`${s.text}\n${body}`, [s.cosigner]);
  if (check.invalid.length) return { kind: "error", detail: `200 with a cosignature that does not verify` };
  if (!check.valid.length) return { kind: "error", detail: "200 without a cosignature by this witness's key" };
  const own = parsed.signatures.filter((sig) => sig.name === s.cosigner.name && sig.keyId === check.valid[0]!.keyId);
  // checkCosignatures proved every line of this key valid; keep them with their own timestamps.
  const lines = own.map((sig) => ({
    line: sig.line,
    keyId: sig.keyId,
    timestamp: cosignatureTimestamp(sig.signature)!,
  }));
  return { kind: "cosigned", lines };
}
