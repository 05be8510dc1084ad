import { bytesEqual, fromBase64, toBase64 } from "../bytes.ts";
import { EMPTY_ROOT } from "../hash.ts";
import { verifyConsistency } from "../merkle.ts";
import { openNote, parseCheckpoint, splitNote } from "../note.ts";

// C2SP tlog-witness (https://c2sp.org/tlog-witness) `add-checkpoint`: the request and
// response text formats, and the witness's decision as one pure function over the state it
// keeps per log (size and root of the latest cosigned checkpoint). The server around it
// must run `decideAddCheckpoint` and the state update atomically ("checking the old size
// against the latest checkpoint and persisting the new checkpoint must be performed
// atomically") and persist before answering.

/** §add-checkpoint: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;
/** §add-checkpoint: the 409 body's content type. */
export const SIZE_CONTENT_TYPE = "text/x.tlog.size";

export type AddCheckpointRequest = { oldSize: number; proof: Uint8Array[]; checkpoint: string };

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** §add-checkpoint request body: "old <N>\n", one base64 hash per line, "\n", the signed checkpoint. */
export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0) throw new Error("old size must be a non-negative integer");
  if (req.proof.length > MAX_PROOF_LINES) throw new Error(`at most ${MAX_PROOF_LINES} proof lines`);
  return `old ${req.oldSize}\n${req.proof.map((h) => `${toBase64(h)}\n`).join("")}\n${req.checkpoint}`;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Parses an add-checkpoint body. Strict where the spec says MUST: the old size is decimal
 * without leading zeroes, at most 63 proof lines each the canonical base64 of 32 bytes, a
 * blank line, then a well-formed signed note. Never throws.
 */
export function parseAddCheckpoint(body: string): Parsed<AddCheckpointRequest> {
  if (typeof body !== "string") return { ok: false, reason: "body must be text" };
  const blank = body.indexOf("\n\n");
  if (blank < 0) return { ok: false, reason: "no blank line between the old size / proof and the checkpoint" };
  const head = body.slice(0, blank).split("\n");
  const checkpoint = body.slice(blank + 2);
  const old = /^old (.*)$/.exec(head[0]!);
  if (!old || !DECIMAL.test(old[1]!)) {
    return { ok: false, reason: 'the first line must be "old <size>", a decimal without leading zeroes' };
  }
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) return { ok: false, reason: "old size is too large" };
  const lines = head.slice(1);
  if (lines.length > MAX_PROOF_LINES)
    return { ok: false, reason: `more than ${MAX_PROOF_LINES} consistency proof lines` };
  const proof: Uint8Array[] = [];
  for (const [i, line] of lines.entries()) {
    let h: Uint8Array;
    try {
      h = fromBase64(line);
    } catch {
      return { ok: false, reason: `consistency proof line ${i + 1} is not base64` };
    }
    if (h.length !== 32) return { ok: false, reason: `consistency proof line ${i + 1} is not a 32-byte hash` };
    proof.push(h);
  }
  const note = splitNote(checkpoint);
  if (!note.ok) return { ok: false, reason: `checkpoint: ${note.reason}` };
  return { ok: true, value: { oldSize, proof, checkpoint } };
}

/** §add-checkpoint 409 body: the latest cosigned size in decimal and a newline. */
export function formatSizeResponse(size: number): string {
  return `${size}\n`;
}

/** Parses a text/x.tlog.size body strictly ("<decimal>\n"); undefined when malformed. */
export function parseSizeResponse(body: string): number | undefined {
  const m = /^(0|[1-9][0-9]*)\n$/.exec(body);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** What a witness keeps per log: the latest checkpoint it cosigned. */
export type WitnessedState = { size: number; rootHash: Uint8Array };

export type LogKey = { name: string; publicKey: Uint8Array };

/**
 * Why a request was refused. `alert` marks answers that can be evidence of log
 * misbehaviour (a validly signed checkpoint that contradicts what was cosigned before):
 * the witness should keep the request and tell its operator.
 */
export type AddCheckpointRefusal = {
  ok: false;
  status: 400 | 403 | 404 | 409 | 422;
  kind: "malformed" | "unknown-log" | "bad-signature" | "stale-old-size" | "rollback" | "fork" | "bad-proof";
  detail: string;
  /** For 409 stale old size / rollback: the size of the latest cosigned checkpoint (the body). */
  knownSize?: number;
  alert: boolean;
  origin?: string;
};

export type AddCheckpointAccepted = {
  ok: true;
  origin: string;
  /** The note text to cosign (everything before the signatures). */
  text: string;
  /** The state to persist before answering. */
  next: WitnessedState;
  oldSize: number;
};

/**
 * The witness's decision on one add-checkpoint request, in the order the spec states its
 * checks (§add-checkpoint). `logs` maps a checkpoint origin to the log keys trusted for it;
 * `current` is the state for that origin, or null when it never cosigned one. Never throws.
 */
export function decideAddCheckpoint(
  body: string,
  logs: (origin: string) => LogKey[] | undefined,
  current: (origin: string) => WitnessedState | null,
): AddCheckpointAccepted | AddCheckpointRefusal {
  const parsed = parseAddCheckpoint(body);
  if (!parsed.ok) return refuse(400, "malformed", parsed.reason);
  const { oldSize, proof, checkpoint } = parsed.value;
  const origin = checkpoint.slice(0, checkpoint.indexOf("\n"));
  // "If the checkpoint origin is unknown, the witness MUST respond with a 404 Not Found."
  const keys = logs(origin);
  if (!keys || keys.length === 0)
    return refuse(404, "unknown-log", `this witness does not follow a log with origin ${JSON.stringify(origin)}`);
  // "403 Forbidden if either no signature from a trusted key for the origin is present, or a
  // signature line's key name and ID match a trusted key but the signature fails to verify."
  const opened = openNote(checkpoint, keys);
  if (!opened.ok) return refuse(403, "bad-signature", opened.reason, { origin });
  let cp: ReturnType<typeof parseCheckpoint>;
  try {
    cp = parseCheckpoint(opened.text);
  } catch (e) {
    return refuse(400, "malformed", (e as Error).message, { origin });
  }
  if (cp.origin !== origin) return refuse(400, "malformed", "checkpoint origin line is malformed", { origin });
  // "The old size MUST be equal to or lower than the checkpoint size. Otherwise … 400."
  if (oldSize > cp.size) {
    return refuse(400, "malformed", `old size ${oldSize} is larger than the checkpoint's size ${cp.size}`, { origin });
  }
  // "The witness MUST check that the old size matches the size of the latest checkpoint it
  // cosigned … (or zero …). If it doesn't match, … 409 … body … the tree size."
  const state = current(origin);
  const knownSize = state?.size ?? 0;
  if (oldSize !== knownSize) {
    // A validly signed checkpoint smaller than one already cosigned is a log going back in
    // time (or a stale client): worth telling the operator about either way.
    const rollback = cp.size < knownSize;
    return refuse(
      409,
      rollback ? "rollback" : "stale-old-size",
      rollback
        ? `the log signed a checkpoint of size ${cp.size}, smaller than the ${knownSize} this witness already cosigned`
        : `old size ${oldSize} does not match the latest cosigned size ${knownSize}`,
      { origin, knownSize, alert: rollback },
    );
  }
  // "The proof MUST be empty if the old size is zero."
  if (oldSize === 0 && proof.length > 0)
    return refuse(422, "bad-proof", "the consistency proof must be empty when old size is 0", { origin });
  if (cp.size === 0 && !bytesEqual(cp.rootHash, EMPTY_ROOT)) {
    return refuse(422, "bad-proof", "a checkpoint of size 0 must carry the empty tree's root", { origin });
  }
  if (state && oldSize === cp.size) {
    // "If the old size matches the checkpoint size, the witness MUST check that the root hashes
    // are also identical. If they don't match, … 409 Conflict." Two signed roots for one size: a fork.
    if (!bytesEqual(state.rootHash, cp.rootHash)) {
      return refuse(
        409,
        "fork",
        `the log signed two different roots for size ${cp.size}: ${toBase64(state.rootHash)} (cosigned before) and ${toBase64(cp.rootHash)}`,
        { origin, alert: true },
      );
    }
    if (proof.length > 0)
      return refuse(422, "bad-proof", "the proof must be empty when old size equals size", { origin });
  } else if (state && oldSize > 0) {
    if (!verifyConsistency(oldSize, cp.size, state.rootHash, cp.rootHash, proof)) {
      // "the witness MAY log the request even if the consistency proof doesn't verify … as it
      // might be proof of log misbehavior."
      return refuse(
        422,
        "bad-proof",
        `the consistency proof from size ${oldSize} to ${cp.size} does not verify against the cosigned root`,
        { origin, alert: true },
      );
    }
  }
  return { ok: true, origin, text: opened.text, next: { size: cp.size, rootHash: cp.rootHash }, oldSize };
}

function refuse(
  status: AddCheckpointRefusal["status"],
  kind: AddCheckpointRefusal["kind"],
  detail: string,
  extra: { origin?: string; knownSize?: number; alert?: boolean } = {},
): AddCheckpointRefusal {
  return {
    ok: false,
    status,
    kind,
    detail,
    alert: extra.alert ?? false,
    origin: extra.origin,
    knownSize: extra.knownSize,
  };
}
