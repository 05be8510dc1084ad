import { bytesEqual } from "../bytes.ts";
import { parseVerifierKey } from "../note.ts";
import { parseCosignerVerifierKey, type Cosigner } from "./cosignature.ts";

// C2SP tlog-policy (https://c2sp.org/tlog-policy): which logs are trusted, which witnesses,
// and the quorum of cosignatures a checkpoint needs. Line based; items separated by ASCII
// spaces and tabs only; "#" comments; names are opaque and share one namespace with groups.

export type PolicyLog = { vkey: string; name: string; publicKey: Uint8Array; url?: string };
export type PolicyWitness = { label: string; vkey: string; cosigner: Cosigner; url?: string };
export type PolicyGroup = { label: string; threshold: number; members: string[] };

export type Policy = {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  /** The quorum rule: a witness or group label, or "none". */
  quorum: string;
};

/** §Implementation limits: "supports at least up to 32 logs, 32 witnesses, and 32 groups"; we allow more. */
const LIMIT = 256;

/** What the lines so far have defined; each line parser adds to it. */
type PolicyState = { policy: Policy; defined: Map<string, "witness" | "group">; quorumLine: number; lineNo: number };
type Fail = (m: string) => never;
type LineParser = (args: string[], st: PolicyState, fail: Fail) => void;

/**
 * Parses a policy file. Invariants: throws with the line number on any violation of the spec
 * — unknown keyword, wrong arity, a control character other than tab and newline, a key of
 * the wrong type (logs 0x01, witnesses 0x04), a duplicate public key, a name defined twice or
 * referenced before its definition, a member listed twice, a threshold outside 1..n, or not
 * exactly one quorum line.
 */
export function parsePolicy(text: string): Policy {
  if (typeof text !== "string") throw new Error("policy must be text");
  // §Character set: only tab and newline among the control characters.
  const bad = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(text);
  if (bad) throw new Error(`policy contains a control character (0x${bad[0].charCodeAt(0).toString(16)})`);
  const st: PolicyState = {
    policy: { logs: [], witnesses: [], groups: [], quorum: "" },
    defined: new Map(),
    quorumLine: 0,
    lineNo: 0,
  };
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, "");
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const [keyword, ...args] = trimmed.split(/[ \t]+/);
    st.lineNo = i + 1;
    const fail: Fail = (m) => {
      throw new Error(`policy line ${i + 1}: ${m}`);
    };
    const parse = LINE_PARSERS.get(keyword!);
    if (!parse)
      fail(`unknown keyword ${JSON.stringify(keyword?.slice(0, 20))} (expected log, witness, group or quorum)`);
    parse!(args, st, fail);
    const { policy } = st;
    if (policy.logs.length > LIMIT || policy.witnesses.length > LIMIT || policy.groups.length > LIMIT)
      fail(`more than ${LIMIT} logs, witnesses or groups`);
  }
  if (!st.quorumLine) throw new Error("policy has no quorum line (use `quorum none` to require no cosignatures)");
  return st.policy;
}

function parseLogLine(args: string[], { policy }: PolicyState, fail: Fail): void {
  if (args.length < 1 || args.length > 2) fail("expected: log <vkey> [<url>]");
  let key: ReturnType<typeof parseVerifierKey>;
  try {
    key = parseVerifierKey(args[0]!);
  } catch (e) {
    return fail(`log key: ${(e as Error).message}`);
  }
  if (policy.logs.some((l) => bytesEqual(l.publicKey, key.publicKey))) fail("duplicate log (same public key)");
  policy.logs.push({ vkey: args[0]!, name: key.name, publicKey: key.publicKey, url: args[1] });
}

function parseWitnessLine(args: string[], { policy, defined }: PolicyState, fail: Fail): void {
  if (args.length < 2 || args.length > 3) fail("expected: witness <name> <vkey> [<url>]");
  const label = args[0]!;
  if (label === "none") fail('"none" is predefined and cannot name a witness');
  if (defined.has(label)) fail(`name ${label} is already defined`);
  let cosigner: Cosigner;
  try {
    cosigner = parseCosignerVerifierKey(args[1]!);
  } catch (e) {
    return fail(`witness key: ${(e as Error).message}`);
  }
  if (policy.witnesses.some((w) => bytesEqual(w.cosigner.publicKey, cosigner.publicKey)))
    fail("duplicate witness (same public key)");
  policy.witnesses.push({
    label,
    vkey: args[1]!,
    cosigner: { name: cosigner.name, publicKey: cosigner.publicKey },
    url: args[2],
  });
  defined.set(label, "witness");
}

function parseGroupLine(args: string[], { policy, defined }: PolicyState, fail: Fail): void {
  if (args.length < 3) fail("expected: group <name> <all|any|k> <name>...");
  const [label, k, ...members] = args as [string, string, ...string[]];
  if (label === "none") fail('"none" is predefined and cannot name a group');
  if (defined.has(label)) fail(`name ${label} is already defined`);
  const seen = new Set<string>();
  for (const m of members) {
    if (m === "none") fail('"none" cannot be a group member');
    if (!defined.has(m)) fail(`group member ${m} is not defined on an earlier line`);
    if (seen.has(m)) fail(`group member ${m} is listed twice`);
    seen.add(m);
  }
  let threshold: number;
  if (k === "all") threshold = members.length;
  else if (k === "any") threshold = 1;
  else if (/^[1-9][0-9]*$/.test(k) && Number(k) <= members.length) threshold = Number(k);
  else return fail(`threshold ${k} must be all, any, or a decimal from 1 to ${members.length}`);
  policy.groups.push({ label, threshold, members });
  defined.set(label, "group");
}

function parseQuorumLine(args: string[], st: PolicyState, fail: Fail): void {
  if (args.length !== 1) fail("expected: quorum <name>");
  if (st.quorumLine) fail(`a second quorum line (the first is line ${st.quorumLine})`);
  if (args[0] !== "none" && !st.defined.has(args[0]!)) fail(`quorum ${args[0]} is not defined on an earlier line`);
  st.policy.quorum = args[0]!;
  st.quorumLine = st.lineNo;
}

// A Map, not an object literal: a keyword such as "constructor" must not find a prototype member.
const LINE_PARSERS = new Map<string, LineParser>([
  ["log", parseLogLine],
  ["witness", parseWitnessLine],
  ["group", parseGroupLine],
  ["quorum", parseQuorumLine],
]);

/**
 * Whether the witnesses (by policy label) that validly cosigned a checkpoint satisfy the
 * policy's quorum: a witness is satisfied when it cosigned; a group when at least its
 * threshold of members are; `none` always.
 */
export function quorumSatisfied(policy: Policy, cosigned: ReadonlySet<string>): boolean {
  const groups = new Map(policy.groups.map((g) => [g.label, g]));
  const memo = new Map<string, boolean>();
  const satisfied = (label: string): boolean => {
    if (label === "none") return true;
    const cached = memo.get(label);
    if (cached !== undefined) return cached;
    const g = groups.get(label);
    const ok = g ? g.members.filter(satisfied).length >= g.threshold : cosigned.has(label);
    memo.set(label, ok);
    return ok;
  };
  return satisfied(policy.quorum);
}

/** A policy for one log and a flat list of witnesses of which `quorum` must cosign (the monitor's flags). */
export function simplePolicy(logVkey: string, witnessVkeys: string[], quorum: number): Policy {
  const lines = [`log ${logVkey}`, ...witnessVkeys.map((w, i) => `witness w${i + 1} ${w}`)];
  if (quorum === 0 || witnessVkeys.length === 0) lines.push("quorum none");
  else
    lines.push(
      `group all-witnesses ${quorum} ${witnessVkeys.map((_, i) => `w${i + 1}`).join(" ")}`,
      "quorum all-witnesses",
    );
  return parsePolicy(lines.join("\n") + "\n");
}
