import { afterEach, expect } from "vitest";
import { runVerification, settle } from "@/lib/server/integrity/index.ts";
import type { Runtime } from "@/lib/server/runtime/runtime.ts";
import { freshStore, openRuntime, validEvent, type Attacker, type Dialect, type TestStore } from "./stores.ts";

// The world of the integrity tests: a real store with signed checkpoints, a runtime over it,
// and an attacker's raw connection that changes the store behind the runtime's back. The
// integrity center's and the classification tests each built it the same way.

export type TamperWorld = {
  store: TestStore;
  ledger: Runtime;
  attacker: Attacker | null;
  /**
   * A fresh store: entries with a checkpoint after each of `sizes`, `tail` more, then a first
   * incremental run that remembers them (its result; null with `remember: false`) and the
   * attacker's connection.
   */
  build(sizes: number[], tail: number, opts?: { env?: Record<string, string>; remember?: boolean }): Promise<unknown>;
};

/** The world of each test in the calling describe block, built by `build()` and dropped after the test. */
export function eachTamperWorld(dialect: Dialect, origin: string): TamperWorld {
  const w = { attacker: null } as TamperWorld;
  w.build = async (sizes, tail, { env = {}, remember = true } = {}) => {
    w.store = await freshStore(dialect, { LEDGERLINE_ORIGIN: origin, LEDGERLINE_CHECKPOINT_EVERY: "1000000", ...env });
    w.ledger = await openRuntime(w.store.config);
    await w.ledger.signingKey();
    let n = 0;
    for (const cp of sizes) {
      await w.ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: cp - n }, () => validEvent()),
      );
      await w.ledger.sequencer.checkpoint();
      n = cp;
    }
    await w.ledger.sequencer.append(
      "spiffe://test/a",
      Array.from({ length: tail }, () => validEvent()),
    );
    const first = remember ? await runVerification(w.ledger, { mode: "incremental", alert: false }) : null;
    if (first) expect(first).toMatchObject({ ok: true });
    w.attacker = await w.store.attacker();
    return first;
  };
  afterEach(async () => {
    await w.attacker?.close();
    w.attacker = null;
    await settle(w.ledger);
    await w.ledger.close();
    await w.store.cleanup();
  });
  return w;
}
