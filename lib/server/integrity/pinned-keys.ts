import "server-only";
import fs from "node:fs";
import { bytesEqual, parseVerifierKey, shortKey } from "@/lib/core/index.ts";
import { parseTrustFile, pinnedLogKeys } from "@/lib/core/pins.ts";
import type { SqlDriver } from "../db/driver.ts";
import { allKeyRotations, allSigningKeys, type SigningKeyRow } from "../ledger/store/signing-keys.ts";
import type { Verifier } from "./checkpoints.ts";

// Which log keys the integrity center trusts — never simply what `signing_keys` says today (an
// insider can INSERT a row there). The pin is LEDGERLINE_TRUST_FILE or LEDGERLINE_LOG_KEYS (the
// syntax of verify-log's --trust-file), else the first key ever recorded (trust on first use);
// from the pin, rotation statements (signed by the old and the new key) lead to later keys. A
// `signing_keys` row no chain leads to is a finding that names the key.

/** Log keys pinned by configuration, with where the pin came from. Strings only: the config crosses processes as JSON. */
export type LogPins = { source: string; keys: Array<{ verifierKey: string; why: string }> };

/**
 * LEDGERLINE_TRUST_FILE (a file: one verifier key per line, or a tlog-policy whose `log` lines
 * count) or LEDGERLINE_LOG_KEYS (the same text inline; without a newline, keys separated by
 * commas or spaces). Null when neither is set. Throws an Error naming the variable.
 */
export function parseLogPins(env: { LEDGERLINE_TRUST_FILE?: string; LEDGERLINE_LOG_KEYS?: string }): LogPins | null {
  const { LEDGERLINE_TRUST_FILE: file, LEDGERLINE_LOG_KEYS: inline } = env;
  if (file && inline) throw new Error("set LEDGERLINE_TRUST_FILE or LEDGERLINE_LOG_KEYS, not both");
  let source: string;
  let text: string;
  if (file) {
    source = `LEDGERLINE_TRUST_FILE (${file})`;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`LEDGERLINE_TRUST_FILE ${file}: ${(e as Error).message}`);
    }
  } else if (inline) {
    source = "LEDGERLINE_LOG_KEYS";
    text = inline.includes("\n") ? inline : inline.split(/[\s,]+/).join("\n");
  } else return null;
  try {
    const pins = parseTrustFile(text, source);
    if (!pins.keys.length) throw new Error("it names no log key (a policy file needs a `log` line)");
    return { source, keys: pins.keys.map((k) => ({ verifierKey: k.verifierKey, why: `pinned by ${source}` })) };
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}

export type KeySelection = {
  /** Where the pin came from: the configuration, or the first key this store recorded. */
  source: string;
  /** Every key trusted, oldest first: the pins and the keys rotation statements lead to. */
  keys: Array<{ verifierKey: string; why: string }>;
  verifiers: Verifier[];
  /** signing_keys rows no chain from the pins leads to, each a sentence naming the key. */
  unchained: string[];
};

/** A trusted key with the validity period its row records (dates can only narrow what the pin trusts). */
function verifierOf(vkey: string, rows: SigningKeyRow[]): Verifier {
  const k = parseVerifierKey(vkey);
  const row = rows.find((r) => bytesEqual(new Uint8Array(r.public_key), k.publicKey) && r.name === k.name);
  return { name: k.name, publicKey: k.publicKey, createdAt: row?.created_at, retiredAt: row?.retired_at };
}

/**
 * The keys a full or incremental pass checks checkpoints with. `pins` from the config wins;
 * otherwise the first `signing_keys` row (or, on a store without one, the running key).
 */
export async function selectLogKeys(
  db: SqlDriver,
  origin: string,
  pins: LogPins | null,
  running: { verifierKey: string } | null,
): Promise<KeySelection> {
  const rows = await allSigningKeys(db);
  const first = rows[0]?.verifier_key ?? running?.verifierKey ?? null;
  const pin: LogPins = pins ?? {
    source: "the first key this store recorded (trust on first use: set LEDGERLINE_LOG_KEYS to pin it)",
    keys: first ? [{ verifierKey: first, why: "the first key this store recorded" }] : [],
  };
  const statements = (await allKeyRotations(db)).map((r) => r.statement);
  const chain = pinnedLogKeys({ keys: pin.keys, policy: null }, statements, origin);
  const trusted = new Set(chain.trusted.map((t) => t.verifierKey));
  const unchained = rows
    .filter((r) => !trusted.has(r.verifier_key))
    .map(
      (r) =>
        `signing key ${shortKey(r.verifier_key)} (in signing_keys since ${r.created_at}) is not trusted: no valid rotation statement leads to it from ${pins ? "the pinned keys" : "the first key"} — it was inserted, not rotated in`,
    );
  return {
    source: pin.source,
    keys: chain.trusted,
    verifiers: chain.trusted.map((t) => verifierOf(t.verifierKey, rows)),
    unchained,
  };
}
