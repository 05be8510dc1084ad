import { afterEach, describe, expect, it } from "vitest";
import { generateSigningKey, sha256, signerKeyString, toBase64, verifierKeyString } from "@/lib/core/index.ts";
import { freshStore, openRuntime, testApi, event, type TestStore } from "@/test/support/stores.ts";
import { killWitness, startWitness, witnessKey, witnessesEnv } from "@/test/support/witness-process.ts";
import type { Runtime } from "@/lib/server/runtime/runtime.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { createIngestKey } from "@/lib/server/ingest/ingest-keys.ts";
import { LedgerlineClient } from "./ledgerline-client.ts";
import { verifyReceipt } from "./receipt.ts";

// Receipts against the server's real API code on a real SQLite store, with a real witness
// process: an acknowledged entry verifies once a (cosigned) checkpoint covers it; one an
// insider changed while it sat in the unsigned tail — the server restarted and signed over
// the changed tail — fails its receipt, naming the entry.

const ORIGIN = "receipt.test/log";
const LOG = generateSigningKey(ORIGIN, new Uint8Array(32).fill(3));
const LOG_VKEY = verifierKeyString(LOG.name, LOG.publicKey);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** fetch over the API as mounted on `rt` (no socket): what a client on the network would get. */
function fetchOver(rt: () => Runtime): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const api = testApi(rt());
    const path = new URL(req.url).pathname;
    if (path === "/api/v1/checkpoint") return api.checkpoint.get(req, {});
    if (path === "/api/v1/proofs/inclusion") return api.proofs.inclusion(req, {});
    if (path === "/api/v1/events") return api.events.post(req, {});
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
}

async function setup(env: Record<string, string> = {}): Promise<{ store: TestStore; rt: Runtime; ingestKey: string }> {
  const store = await freshStore("sqlite", {
    LEDGERLINE_ORIGIN: ORIGIN,
    LEDGERLINE_SIGNING_KEY: signerKeyString(LOG.name, LOG.seed),
    ...env,
  });
  const rt = await openRuntime(store.config);
  rt.cosigner.start();
  const key = await createIngestKey(rt, systemPrincipal("ops@example.com"), "spiffe://receipt.test/app");
  const state = { store, rt, ingestKey: key.key };
  cleanups.push(async () => {
    await state.rt.close();
    await store.cleanup();
  });
  return state;
}

describe("receipts (sqlite, real witness process)", () => {
  it("verify once covered and cosigned; pending before; a changed tail entry fails its receipt", async () => {
    const wk = witnessKey("witness.receipt.test/w");
    const w = await startWitness(wk, LOG_VKEY);
    cleanups.push(() => killWitness(w));
    const s = await setup({ LEDGERLINE_WITNESSES: witnessesEnv([w]), LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    let rt = s.rt;
    const client = new LedgerlineClient({
      url: "http://ledger.test",
      key: s.ingestKey,
      fetch: fetchOver(() => rt),
      flushIntervalMs: 0,
      exitHook: false,
    });
    cleanups.push(() => client.close());
    const sent = await client.send([event(), event(), event()].map((e) => e as never));
    expect(sent.coveredBy).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(sent.accepted).toHaveLength(3);
    const [first, , last] = sent.accepted;
    const trust = { logKey: LOG_VKEY, witnesses: [w.vkey], quorum: 1 };
    // No checkpoint covers it yet: no receipt.
    expect(await client.verifyReceipt(first!, { logKey: LOG_VKEY })).toMatchObject({ ok: false });
    await rt.sequencer.checkpoint();
    await rt.cosigner.settle();
    const ok = await client.verifyReceipt(last!, trust);
    expect(ok).toMatchObject({ ok: true, seq: last!.seq, cosignedBy: ["witness.receipt.test/w"] });
    // A witness key the checkpoint does not carry: no quorum, no receipt.
    const stranger = witnessKey("witness.receipt.test/stranger");
    const noQuorum = await client.verifyReceipt(last!, { logKey: LOG_VKEY, witnesses: [stranger.vkey], quorum: 1 });
    expect(noQuorum).toMatchObject({ ok: false, pending: false });
    expect((noQuorum as { reason: string }).reason).toMatch(/lacks the witness quorum/);
    // A receipt whose leaf hash is not the one acknowledged fails.
    const forged = await client.verifyReceipt({ seq: first!.seq, leafHash: toBase64(sha256(Uint8Array.of(1))) }, trust);
    expect(forged.ok).toBe(false);

    // More entries, acknowledged but not yet under a checkpoint (the unsigned tail)…
    const tail = await client.send([event(), event()].map((e) => e as never));
    const victim = tail.accepted[1]!;
    const pending = await client.verifyReceipt(victim, trust);
    expect(pending).toMatchObject({ ok: false, pending: true });
    // …changed by an insider with the database (guards dropped and put back), before a restart signs over it.
    await rt.close();
    const a = await s.store.attacker();
    // The guard exactly as the migrations made it, to put back afterwards.
    const [guard] = (await a.exec(
      "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'entries_no_update'",
    )) as Array<{ sql: string }>;
    await a.exec("DROP TRIGGER entries_no_update");
    await a.exec("UPDATE entries SET action = 'nothing to see', leaf_hash = ? WHERE seq = ?", [
      Buffer.from(sha256(Uint8Array.of(6, 6, 6))),
      victim.seq,
    ]);
    await a.exec(guard!.sql);
    await a.close();
    rt = await openRuntime(s.store.config);
    s.rt = rt;
    rt.cosigner.start();
    await rt.sequencer.checkpoint();
    await rt.cosigner.settle();
    // The server and the witness both signed the changed tail — only the sender's receipt can tell.
    const broken = await verifyReceipt("http://ledger.test", victim, trust, { fetch: fetchOver(() => rt) });
    expect(broken).toMatchObject({ ok: false, pending: false });
    expect((broken as { reason: string }).reason).toMatch(
      new RegExp(`entry ${victim.seq} was changed after it was acknowledged`),
    );
    // The entries before the change still verify against the same checkpoint.
    expect(await client.verifyReceipt(tail.accepted[0]!, trust)).toMatchObject({ ok: true });
  }, 120_000);
});
