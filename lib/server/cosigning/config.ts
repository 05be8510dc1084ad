import fs from "node:fs";
import { parseCosignerVerifierKey, parsePolicy, type Cosigner, type Policy } from "@/lib/core/tlog/index.ts";

// Which witnesses cosign this log's checkpoints, and how many must: LEDGERLINE_WITNESSES +
// LEDGERLINE_WITNESS_QUORUM, or LEDGERLINE_WITNESS_POLICY (a C2SP tlog-policy file). Both
// become one tlog-policy (https://c2sp.org/tlog-policy), so "is the quorum reached" is the
// same rule the monitor and `ledgerline receipt` apply. Parsed once at start by
// lib/server/config.ts; every mistake is a ConfigError naming the variable.

export type WitnessEndpoint = {
  /** The witness's name in the policy (for LEDGERLINE_WITNESSES: its key name). */
  label: string;
  /** Its cosigner vkey `<name>+<key id>+<base64(0x04 || key)>` (c2sp.org/tlog-cosignature). */
  vkey: string;
  cosigner: Cosigner;
  /** tlog-witness §add-checkpoint: the submission prefix; requests go to `<url>/add-checkpoint`. null: counted, not contacted. */
  url: string | null;
};

export type WitnessConfig = {
  source: "LEDGERLINE_WITNESSES" | "LEDGERLINE_WITNESS_POLICY";
  policy: Policy;
  witnesses: WitnessEndpoint[];
  /** A witness that has not cosigned a checkpoint this long after it was signed raises an alert. */
  alertAfterMs: number;
  /** One add-checkpoint request's time limit. */
  timeoutMs: number;
};

export type WitnessEnv = {
  LEDGERLINE_WITNESSES?: string;
  LEDGERLINE_WITNESS_QUORUM?: string;
  LEDGERLINE_WITNESS_POLICY?: string;
  alertAfterSeconds: number;
  timeoutSeconds: number;
};

/** Thrown for a bad witness setting; lib/server/config.ts turns it into its ConfigError. */
export class WitnessConfigError extends Error {}

const fail = (m: string): never => {
  throw new WitnessConfigError(m);
};

/** An http(s) URL without a trailing slash, or a clear error naming where it came from. */
function submissionPrefix(raw: string, where: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail(`${where}: "${raw.slice(0, 200)}" is not a URL (e.g. http://witness.example:7380)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    fail(`${where}: the witness URL must be http(s) (got ${u.protocol})`);
  if (u.search || u.hash) fail(`${where}: the witness URL is a prefix: no ?query or #fragment`);
  return u.toString().replace(/\/+$/, "");
}

/**
 * LEDGERLINE_WITNESSES: entries `<vkey>@<url>` separated by commas or whitespace, where
 * vkey is the witness's cosigner key (`ledgerline witness keygen` prints it) and url its
 * submission prefix. Base64 never contains "@", so the first "@" splits them.
 */
export function parseWitnessList(raw: string): Array<{ vkey: string; url: string }> {
  const items = raw.split(/[\s,]+/).filter(Boolean);
  if (!items.length) fail("LEDGERLINE_WITNESSES is set but lists no witness (expected <vkey>@<url>, comma-separated)");
  return items.map((item, i) => {
    const at = item.indexOf("@");
    const where = `LEDGERLINE_WITNESSES entry ${i + 1}`;
    if (at < 0) fail(`${where}: expected <name>+<key id>+<key>@<url>, got "${item.slice(0, 120)}"`);
    return { vkey: item.slice(0, at), url: submissionPrefix(item.slice(at + 1), where) };
  });
}

function policyFromList(list: Array<{ vkey: string; url: string }>, quorumRaw: string | undefined): Policy {
  const labels = list.map(({ vkey }, i) => {
    try {
      return parseCosignerVerifierKey(vkey).name;
    } catch (e) {
      return fail(`LEDGERLINE_WITNESSES entry ${i + 1}: ${(e as Error).message}`);
    }
  });
  // Default: a majority — one witness down still reaches it with three, and two witnesses
  // that both must sign are the honest reading of "2 witnesses".
  const n = list.length;
  const quorum = quorumRaw === undefined || quorumRaw.trim() === "" ? Math.floor(n / 2) + 1 : Number(quorumRaw);
  if (!Number.isInteger(quorum) || quorum < 0 || quorum > n) {
    fail(`LEDGERLINE_WITNESS_QUORUM must be an integer from 0 to ${n} (the number of witnesses); got "${quorumRaw}"`);
  }
  const lines = list.map((w, i) => `witness ${labels[i]} ${w.vkey} ${w.url}`);
  if (quorum === 0) lines.push("quorum none");
  else lines.push(`group ledgerline-quorum ${quorum} ${labels.join(" ")}`, "quorum ledgerline-quorum");
  try {
    return parsePolicy(lines.join("\n") + "\n");
  } catch (e) {
    return fail(`LEDGERLINE_WITNESSES: ${(e as Error).message.replace(/^policy line \d+: /, "")}`);
  }
}

/** The witness configuration from the environment, or null when no witness is configured. */
export function parseWitnessConfig(env: WitnessEnv): WitnessConfig | null {
  const list = env.LEDGERLINE_WITNESSES?.trim();
  const file = env.LEDGERLINE_WITNESS_POLICY?.trim();
  if (list && file) {
    fail("set LEDGERLINE_WITNESSES (with LEDGERLINE_WITNESS_QUORUM) or LEDGERLINE_WITNESS_POLICY, not both");
  }
  if (!list && !file) {
    if (env.LEDGERLINE_WITNESS_QUORUM?.trim()) fail("LEDGERLINE_WITNESS_QUORUM is set but LEDGERLINE_WITNESSES is not");
    return null;
  }
  let policy: Policy;
  if (list) policy = policyFromList(parseWitnessList(list), env.LEDGERLINE_WITNESS_QUORUM);
  else {
    if (env.LEDGERLINE_WITNESS_QUORUM?.trim())
      fail("LEDGERLINE_WITNESS_QUORUM does not apply with LEDGERLINE_WITNESS_POLICY: the policy's quorum line says it");
    let text: string;
    try {
      text = fs.readFileSync(file!, "utf8");
    } catch (e) {
      return fail(`LEDGERLINE_WITNESS_POLICY: cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      policy = parsePolicy(text);
    } catch (e) {
      return fail(`LEDGERLINE_WITNESS_POLICY ${file}: ${(e as Error).message}`);
    }
    if (!policy.witnesses.length) fail(`LEDGERLINE_WITNESS_POLICY ${file} names no witness`);
  }
  return {
    source: list ? "LEDGERLINE_WITNESSES" : "LEDGERLINE_WITNESS_POLICY",
    policy,
    witnesses: policy.witnesses.map((w) => ({
      label: w.label,
      vkey: w.vkey,
      cosigner: w.cosigner,
      url: w.url === undefined ? null : submissionPrefix(w.url, `witness ${w.label}`),
    })),
    alertAfterMs: env.alertAfterSeconds * 1000,
    timeoutMs: env.timeoutSeconds * 1000,
  };
}
