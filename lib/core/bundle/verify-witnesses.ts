import { splitNote } from "../note.ts";
import { witnessQuorum } from "../pins.ts";
import type { Policy } from "../tlog/index.ts";
import type { BundleManifest } from "./format.ts";
import { check, type BundleCheck } from "./verify-kit.ts";

// The witness check: checkpoint.txt's extra signature lines are C2SP cosignature/v1 lines
// (c2sp.org/tlog-cosignature). Only the witnesses the caller pins count — never the manifest's
// list, which the bundle's maker wrote. A pinned witness's line that does not verify is a
// failure (someone altered the checkpoint or forged the line); too few valid ones is "no quorum".

export type WitnessCheck = {
  check: BundleCheck;
  /** The quorum was asked for and not reached (and nothing was forged): verdict "no-quorum". */
  noQuorum: boolean;
  trusted: string[];
  /** How many extra (non-log) signature lines checkpoint.txt carries. */
  lines: number;
  /** The pinned witnesses (policy labels) with a valid cosignature. */
  cosigned: string[];
};

/** Signature lines of the note other than the log's own (by name and key id). */
function extraLines(note: string, logKeyId: string | null): number {
  const parsed = splitNote(note);
  if (!parsed.ok) return 0;
  return parsed.signatures.filter((s) => s.keyId !== logKeyId).length;
}

function unpinnedDetail(lines: number, manifest: BundleManifest | null): string {
  const named = manifest?.witnesses?.list.filter((w) => w.cosigned).map((w) => w.name) ?? [];
  if (!lines) return "checkpoint.txt carries no witness cosignature";
  return (
    `checkpoint.txt carries ${lines} cosignature line(s)${named.length ? ` (the manifest names ${named.join(", ")})` : ""}; ` +
    "none counts until you pin witness keys (--witness <vkey>… --quorum N)"
  );
}

/** The "wit" check of `note` (checkpoint.txt's text) against `policy`; `now` in POSIX seconds. */
export function checkWitnesses(
  note: string | null,
  policy: Policy | null | undefined,
  ctx: { manifest: BundleManifest | null; logKeyId: string | null; now?: number },
): WitnessCheck {
  const lines = note ? extraLines(note, ctx.logKeyId) : 0;
  const base = { noQuorum: false, trusted: [] as string[], lines, cosigned: [] as string[] };
  if (!policy) return { ...base, check: check("witnesses", "skip", unpinnedDetail(lines, ctx.manifest)) };
  const trusted = policy.witnesses.map(
    (w) => `witness ${w.label} (${w.vkey.split("+")[0]}+${w.vkey.split("+")[1]}): pinned`,
  );
  if (!note)
    return {
      ...base,
      trusted,
      check: check("witnesses", "fail", "no readable checkpoint.txt to count cosignatures on"),
    };
  // Witness clocks may run a little ahead; five minutes, as the monitor allows.
  const q = witnessQuorum(note, policy, { now: ctx.now, maxFutureSeconds: 300 });
  const out = { ...base, trusted, cosigned: q.cosigned };
  if (q.invalid.length) {
    const bad = q.invalid.map((i) => `${i.label}: ${i.reason}`).join("; ");
    return {
      ...out,
      check: check(
        "witnesses",
        "fail",
        `a cosignature line under a pinned witness's key is not valid (${bad}): checkpoint.txt was altered or the line forged`,
      ),
    };
  }
  const who = q.cosigned.length ? q.cosigned.join(", ") : "none";
  if (!q.met) {
    const detail = `quorum not met: ${q.cosigned.length} of your ${policy.witnesses.length} pinned witnesses cosigned (${who}); the rule is ${q.rule}. A later bundle, built on a checkpoint the witnesses have cosigned, may meet it`;
    return { ...out, noQuorum: true, check: check("witnesses", "fail", detail) };
  }
  return {
    ...out,
    check: check(
      "witnesses",
      "pass",
      `witnessed by ${q.cosigned.length} of ${policy.witnesses.length} (${who}); quorum ${q.rule}`,
    ),
  };
}
