import { followKeyRotations, shortKey } from "./key-rotation.ts";
import { parseVerifierKey, verifierKeyString } from "./note-keys.ts";
import { checkCosignatures, parsePolicy, quorumSatisfied, simplePolicy, type Policy } from "./tlog/index.ts";

// What a verifier trusts, and why — one module for `verify-log`, `verify-bundle`, the browser's
// /verify page and the integrity center, so "pinned" means the same everywhere. Pins come from
// outside the thing being checked: log keys (`--key`, a trust file, LEDGERLINE_LOG_KEYS) and/or a
// witness policy (`--witness … --quorum N`, a tlog-policy file). From a pinned log key, rotation
// statements (self-authenticating: signed by the old and the new key) lead to later keys.

export type Pins = {
  /** Log verifier keys pinned out of band, each with where it came from. */
  keys: Array<{ verifierKey: string; why: string }>;
  /** Witnesses and quorum (tlog-policy), or null. */
  policy: Policy | null;
};

/**
 * Parses a trust file: a tlog-policy file (lines `log`, `witness`, `group`, `quorum`) or one
 * verifier key per line (`#` comments and blank lines ignored). Throws with what is wrong.
 */
export function parseTrustFile(text: string, file: string): Pins {
  const lines = text.split("\n").map((l) => l.trim());
  if (lines.some((l) => /^(log|witness|group|quorum)\s/.test(l))) {
    const policy = parsePolicy(text.endsWith("\n") ? text : `${text}\n`);
    return {
      keys: policy.logs.map((l) => ({ verifierKey: l.vkey, why: `log key in policy file ${file}` })),
      policy: policy.witnesses.length ? policy : null,
    };
  }
  const keys = lines
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      parseVerifierKey(l);
      return { verifierKey: l, why: `listed in ${file}` };
    });
  if (!keys.length) throw new Error(`${file} lists no verifier key`);
  return { keys, policy: null };
}

/** A policy from `--witness <vkey>… --quorum N` (the log key is checked separately). */
export function witnessPolicy(witnesses: string[], quorum: number): Policy {
  // simplePolicy needs a log line; the log's own keys are pinned through `keys`.
  const placeholder = verifierKeyString("placeholder", new Uint8Array(32).fill(1));
  return { ...simplePolicy(placeholder, witnesses, quorum), logs: [] };
}

/** The pieces of a verifier's command line that pin, already read (the trust file's text, not its path). */
export type PinOptions = {
  keys?: string[];
  trustFile?: { name: string; text: string };
  witnesses?: string[];
  quorum?: string;
};

/**
 * `--key`, `--trust-file`, `--witness`, `--quorum` → Pins. Throws an Error naming the option
 * and what is wrong (the CLI turns it into its usage error). `--quorum` defaults to every witness.
 */
export function pinsFromOptions(o: PinOptions): Pins {
  const pins: Pins = { keys: [], policy: null };
  for (const s of o.keys ?? []) {
    try {
      parseVerifierKey(s);
    } catch (e) {
      throw new Error(`--key ${s.slice(0, 60)}: ${(e as Error).message}`);
    }
    pins.keys.push({ verifierKey: s, why: "pinned with --key" });
  }
  if (o.trustFile) {
    try {
      const fromFile = parseTrustFile(o.trustFile.text, o.trustFile.name);
      pins.keys.push(...fromFile.keys);
      pins.policy = fromFile.policy;
    } catch (e) {
      throw new Error(`--trust-file ${o.trustFile.name}: ${(e as Error).message}`);
    }
  }
  const witnesses = o.witnesses ?? [];
  if (witnesses.length) {
    const n = o.quorum === undefined ? witnesses.length : Number(o.quorum);
    if (!Number.isInteger(n) || n < 1 || n > witnesses.length) {
      throw new Error(`--quorum must be 1..${witnesses.length} (the number of --witness keys)`);
    }
    try {
      pins.policy = witnessPolicy(witnesses, n);
    } catch (e) {
      throw new Error(`--witness: ${(e as Error).message}`);
    }
  } else if (o.quorum !== undefined) throw new Error("--quorum needs --witness <vkey>…");
  return pins;
}

export type PinnedKeys = {
  /** The pinned keys and those rotation statements lead to, each with why. */
  trusted: Array<{ verifierKey: string; why: string }>;
  /** One line per trusted key: which, and why. */
  explanation: string[];
  /** Statements that did not chain from a pinned key (shown, never trusted). */
  rejected: string[];
};

/** The log keys to trust: the pins, and every key a chain of valid statements leads to from them. */
export function pinnedLogKeys(pins: Pins, statements: string[], origin: string): PinnedKeys {
  const { trusted, rejected } = followKeyRotations(pins.keys, statements, origin);
  return {
    trusted: trusted.map((t) => ({ verifierKey: t.verifierKey, why: t.why })),
    explanation: trusted.map((t) => `${shortKey(t.verifierKey)}: ${t.why}`),
    rejected: rejected.map((r) => `rotation statement ${r.statement + 1}: ${r.reason}`),
  };
}

export type QuorumCheck = {
  /** The policy's quorum is satisfied by valid cosignatures. */
  met: boolean;
  /** Policy labels of the witnesses with a valid cosignature/v1 line. */
  cosigned: string[];
  /** Lines by a pinned witness (its name and key id) that do not verify, or are dated in the future. */
  invalid: Array<{ label: string; reason: string }>;
  /** The rule in words: "2 of 3 witnesses", "witness alpha", "none". */
  rule: string;
};

/** The quorum rule of a policy in words, for reports and the manifest. */
export function quorumRule(policy: Policy): string {
  if (policy.quorum === "none") return "none";
  const group = policy.groups.find((g) => g.label === policy.quorum);
  if (!group) return `witness ${policy.quorum}`;
  return `${group.threshold} of ${group.members.length} (${group.label})`;
}

/**
 * Counts the valid `cosignature/v1` lines on a signed checkpoint note by the policy's witnesses
 * (C2SP tlog-cosignature: the signed message and its timestamp exactly) and applies the quorum.
 * Lines by other keys are ignored; a line under a pinned witness's name and key id that does not
 * verify is reported in `invalid`. `now` (POSIX seconds) refuses cosignatures dated later than
 * `now + maxFutureSeconds`. Never throws.
 */
export function witnessQuorum(
  note: string,
  policy: Policy,
  clock: { now?: number; maxFutureSeconds?: number } = {},
): QuorumCheck {
  const check = checkCosignatures(
    note,
    policy.witnesses.map((w) => w.cosigner),
    clock,
  );
  const labelOf = (name: string) => policy.witnesses.find((w) => w.cosigner.name === name)?.label ?? name;
  const cosigned = [...new Set(check.valid.map((v) => labelOf(v.name)))];
  return {
    met: quorumSatisfied(policy, new Set(cosigned)),
    cosigned,
    invalid: check.invalid.map((i) => ({ label: i.name ? labelOf(i.name) : "(note)", reason: i.reason })),
    rule: quorumRule(policy),
  };
}

/**
 * The witness part of a policy as tlog-policy text (witness, group and quorum lines, in the order
 * parsePolicy needs), so a browser can rebuild the same rule with parsePolicy.
 */
export function formatWitnessPolicy(policy: Policy): string {
  return [
    ...policy.witnesses.map((w) => `witness ${w.label} ${w.vkey}`),
    ...policy.groups.map((g) => `group ${g.label} ${g.threshold} ${g.members.join(" ")}`),
    `quorum ${policy.quorum}`,
    "",
  ].join("\n");
}
