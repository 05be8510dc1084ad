import { afterEach, describe, expect, it } from "vitest";
import { generateSigningKey, keyId, shortKey, signerKeyString, toHex, verifierKeyString } from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshStore, openRuntime, type TestStore } from "@/test/support/stores.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { runVerification, settle } from "./index.ts";
import { parseLogPins, selectLogKeys } from "./pinned-keys.ts";

// The integrity center trusts pinned log keys, never simply the rows of `signing_keys` (issue 14):
// an insider who INSERTs a key row (the append-only triggers dropped, as root on the database
// could) is reported by name; LEDGERLINE_LOG_KEYS pins keys from outside the store.

const ORIGIN = "test.example/pinned-keys";
const LOG = generateSigningKey(ORIGIN, new Uint8Array(32).fill(21));
const LOG_VKEY = verifierKeyString(LOG.name, LOG.publicKey);

describe.each(DIALECTS)("integrity center's pinned keys on %s", (dialect) => {
  let store: TestStore;
  let rt: Runtime;
  afterEach(async () => {
    await settle(rt);
    await rt.close();
    await store.cleanup();
  });

  async function start(env: Record<string, string> = {}) {
    store = await freshStore(dialect, {
      LEDGERLINE_ORIGIN: ORIGIN,
      LEDGERLINE_SIGNING_KEY: signerKeyString(LOG.name, LOG.seed),
      ...env,
    });
    rt = await openRuntime(store.config);
    await rt.signingKey();
    const events = Array.from({ length: 40 }, () => {
      const r = validateEvent(event());
      if (!r.ok) throw new Error("bad fixture");
      return r.event;
    });
    await rt.sequencer.append("spiffe://test/a", events);
    await rt.sequencer.checkpoint();
  }

  it("without a pin: the first key recorded is trusted, and a forged signing_keys row is a failure naming it", async () => {
    await start();
    const clean = await selectLogKeys(rt.db, ORIGIN, null, null);
    expect(clean).toMatchObject({ unchained: [], keys: [{ verifierKey: LOG_VKEY }] });
    expect(clean.source).toMatch(/^the first key this store recorded/);
    expect(await runVerification(rt, { mode: "full", alert: false })).toMatchObject({ ok: true });

    const attacker = await store.attacker();
    // No trigger to drop: append-only guards refuse UPDATE and DELETE, not INSERT — which is why
    // a forged row is possible at all. (With the guards dropped, "guards" is reported first.)
    const forged = generateSigningKey(ORIGIN, new Uint8Array(32).fill(99));
    const forgedVkey = verifierKeyString(forged.name, forged.publicKey);
    const ph = dialect === "postgres" ? ["$1", "$2", "$3", "$4", "$5"] : ["?", "?", "?", "?", "?"];
    await attacker.exec(
      `INSERT INTO signing_keys (key_id, name, public_key, verifier_key, created_at) VALUES (${ph.join(", ")})`,
      [
        toHex(keyId(forged.name, forged.publicKey)),
        forged.name,
        Buffer.from(forged.publicKey),
        forgedVkey,
        new Date().toISOString(),
      ],
    );
    await attacker.close();

    for (const mode of ["full", "incremental"] as const) {
      const r = await runVerification(rt, { mode, alert: false });
      expect({ mode, ok: r.ok, kind: r.kind }).toEqual({ mode, ok: false, kind: "forged-key" });
      expect(r.reason).toContain(`signing key ${shortKey(forgedVkey)}`);
      expect(r.reason).toContain("no valid rotation statement leads to it");
    }
  });

  it("LEDGERLINE_LOG_KEYS pins from outside: the right key verifies, another key fails every checkpoint", async () => {
    await start({ LEDGERLINE_LOG_KEYS: LOG_VKEY });
    const sel = await selectLogKeys(rt.db, ORIGIN, rt.config.logPins, null);
    expect(sel).toMatchObject({ source: "LEDGERLINE_LOG_KEYS", unchained: [] });
    expect(sel.keys[0]).toEqual({ verifierKey: LOG_VKEY, why: "pinned by LEDGERLINE_LOG_KEYS" });
    expect(await runVerification(rt, { mode: "full", alert: false })).toMatchObject({ ok: true });

    const other = generateSigningKey(ORIGIN, new Uint8Array(32).fill(77));
    const otherVkey = verifierKeyString(other.name, other.publicKey);
    const pinnedElsewhere = { ...rt.config, logPins: parseLogPins({ LEDGERLINE_LOG_KEYS: otherVkey }) };
    const sel2 = await selectLogKeys(rt.db, ORIGIN, pinnedElsewhere.logPins, null);
    expect(sel2.unchained).toHaveLength(1);
    expect(sel2.unchained[0]).toContain(shortKey(LOG_VKEY));
    // The run itself: the stored checkpoints do not verify with the pinned key.
    (rt.config as { logPins: unknown }).logPins = pinnedElsewhere.logPins;
    const r = await runVerification(rt, { mode: "full", alert: false });
    expect(r).toMatchObject({ ok: false, kind: "forged-checkpoint" });
  });
});

describe("LEDGERLINE_LOG_KEYS / LEDGERLINE_TRUST_FILE", () => {
  it("a bad pin is refused with the variable named", () => {
    expect(() => parseLogPins({ LEDGERLINE_LOG_KEYS: "not-a-key" })).toThrow(/LEDGERLINE_LOG_KEYS/);
    expect(() => parseLogPins({ LEDGERLINE_TRUST_FILE: "/nonexistent/trust" })).toThrow(/LEDGERLINE_TRUST_FILE/);
    expect(() => parseLogPins({ LEDGERLINE_TRUST_FILE: "a", LEDGERLINE_LOG_KEYS: LOG_VKEY })).toThrow(/not both/);
    expect(parseLogPins({})).toBeNull();
    expect(parseLogPins({ LEDGERLINE_LOG_KEYS: `${LOG_VKEY}, ${LOG_VKEY}` })!.keys).toHaveLength(2);
  });
});
