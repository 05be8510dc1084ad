// Crash: SIGKILL the whole server process group at random moments while four
// clients ingest batches of random size, restart it on the same store, and
// repeat; one round runs with LEDGERLINE_CHECKPOINT_EVERY=1, so every batch
// signs a checkpoint inside its own transaction and the kill lands while
// checkpoints are being signed. Properties (each fails for real):
//   - the server restarts every time (guards intact, tree state reloaded);
//   - every acknowledged event id is stored exactly once after each crash;
//   - clients re-sending what was never acknowledged get it stored exactly once
//     (duplicates recognized), so nothing is lost and nothing doubled;
//   - the whole log verifies (leaves, tree, every checkpoint and its consistency).
import {
  Checks,
  createIngestKey,
  killServer,
  log,
  makeEvent,
  postBatch,
  sleep,
  startServer,
  storedIds,
  verifyLog,
  type Server,
  type Store,
} from "./support.ts";
import { seededRandom } from "../support/prng.ts";

const SOURCE = "spiffe://stress.example/ns/crash/sa/writer";

export type CrashReport = {
  dialect: string;
  kills: number;
  acknowledged: number;
  retried: number;
  stored: number;
  checkpoints: number;
  treeSize: number;
  verifyOk: boolean;
};

/** What the clients know across rounds: what was acknowledged, what to send again, and the server now running. */
type CrashState = {
  random: () => number;
  prefix: string;
  key: string;
  acked: Set<string>;
  unacked: Map<string, Record<string, unknown>>;
  next: number;
  restarts: number;
  ackLost: number;
  server: Server | null;
};

/** One client: batches until stopped; an unacknowledged batch is kept to send again. */
async function writer(st: CrashState, url: string, signing: boolean, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    const n = signing ? 1000 : 1 + Math.floor(st.random() * 300);
    const events = Array.from({ length: n }, () => makeEvent(st.prefix, st.next++));
    const r = await postBatch(url, st.key, events, 30_000);
    if (r.status === 200 || r.status === 201) {
      for (const id of r.acked) st.acked.add(id);
    } else {
      // Never acknowledged: the client keeps it to send again (it may or may not be stored).
      for (const e of events) st.unacked.set(e.id as string, e);
      if (r.status !== 0 && r.status !== 503) throw new Error(`unexpected ${r.status}: ${r.error}`);
    }
  }
}

/** Start the server, let the writers run, SIGKILL it at a random moment, and count acknowledged ids lost. */
async function crashRound(st: CrashState, store: Store, round: number, kills: number, signing: boolean) {
  st.server = await startServer(
    store,
    signing
      ? { LEDGERLINE_CHECKPOINT_EVERY: "1" }
      : { LEDGERLINE_CHECKPOINT_EVERY: "300", LEDGERLINE_CHECKPOINT_INTERVAL: "1" },
  );
  st.restarts++;
  const url = st.server.url;
  let stop = false;
  const writers = Array.from({ length: signing ? 2 : 4 }, () => writer(st, url, signing, () => stop));
  // A random moment; in the signing round just after 1000-event batches (each signs inline) are in flight.
  await sleep(signing ? 600 + Math.floor(st.random() * 400) : 300 + Math.floor(st.random() * 2200));
  await killServer(st.server);
  stop = true;
  await Promise.all(writers);
  // Every id acknowledged so far must be there, exactly once, right after the crash.
  const ids = await storedIds(store, SOURCE);
  const bad = [...st.acked].filter((id) => ids.get(id) !== 1);
  st.ackLost += bad.length;
  log(
    `crash ${store.dialect} ${round}/${kills}${signing ? " (during checkpoint signing)" : ""}: ${st.acked.size} acknowledged so far, ${ids.size} stored, ${st.unacked.size} unacknowledged${bad.length ? `, ${bad.length} ACKNOWLEDGED BUT NOT STORED ONCE` : ""}`,
  );
}

/**
 * A real sender re-sends a shed batch (503/429) after its Retry-After, a few times; any other
 * answer, or shedding that never ends, is a failure (returned as its status and problem).
 */
async function resendBatch(st: CrashState, batch: Array<Record<string, unknown>>): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    const r = await postBatch(st.server!.url, st.key, batch);
    if (r.status === 200 || r.status === 201) {
      for (const id of r.acked) st.acked.add(id);
      return null;
    }
    const shed = r.status === 503 || r.status === 429;
    if (!shed || attempt === 5) return `${r.status} ${r.error ?? ""}`.slice(0, 200);
    await sleep(Math.min(Number(r.retryAfter ?? 1) || 1, 10) * 1000);
  }
}

/** Recovery: restart once more and re-send everything never acknowledged. */
async function resend(st: CrashState, store: Store) {
  st.server = await startServer(store);
  st.restarts++;
  const retry = [...st.unacked.values()];
  const refusals: string[] = [];
  for (let i = 0; i < retry.length; i += 500) {
    const refused = await resendBatch(st, retry.slice(i, i + 500));
    if (refused) refusals.push(refused);
  }
  const retryFailures = refusals.length;
  const ids = await storedIds(store, SOURCE);
  const stored = [...ids.values()].reduce((a, b) => a + b, 0);
  const notOnce = [...ids.values()].filter((n) => n !== 1).length;
  const missing = [...st.acked].filter((id) => ids.get(id) !== 1).length;
  await killServer(st.server);
  st.server = null;
  return { retried: retry.length, retryFailures, refusals, stored, notOnce, missing };
}

function checkCrash(
  checks: Checks,
  store: Store,
  kills: number,
  st: CrashState,
  r: Awaited<ReturnType<typeof resend>>,
  v: ReturnType<typeof verifyLog>,
): void {
  checks.check(`${store.dialect}: restarted after each of ${kills} SIGKILLs`, st.restarts === kills + 1);
  checks.check(
    `${store.dialect}: every acknowledged id stored exactly once after every crash`,
    st.ackLost === 0,
    `${st.ackLost} violations`,
  );
  checks.check(
    `${store.dialect}: re-sent unacknowledged events stored exactly once (nothing lost, nothing doubled)`,
    r.retryFailures === 0 && r.missing === 0 && r.notOnce === 0 && r.stored === st.next,
    `${st.next} sent, ${r.stored} stored, ${r.retried} re-sent, ${r.missing} missing, ${r.notOnce} ids stored ≠ once, ${r.retryFailures} failed retries${r.refusals.length ? ` (${r.refusals.join("; ")})` : ""}`,
  );
  checks.check(
    `${store.dialect}: the whole log verifies after the crashes`,
    v.ok && v.checkpoints >= 1,
    `tree size ${v.treeSize}, ${v.checkpoints} checkpoints${v.reason ? `, ${v.reason}` : ""}`,
  );
}

export async function runCrash(checks: Checks, store: Store, kills: number, seed = 1): Promise<CrashReport> {
  const st: CrashState = {
    random: seededRandom(seed),
    prefix: `crash-${store.dialect}-${Date.now().toString(36)}`,
    key: createIngestKey(store, SOURCE),
    acked: new Set(),
    unacked: new Map(),
    next: 0,
    restarts: 0,
    ackLost: 0,
    server: null,
  };
  const signingRound = Math.min(2, kills); // the round whose kill lands during checkpoint signing
  try {
    for (let round = 1; round <= kills; round++) await crashRound(st, store, round, kills, round === signingRound);
    const r = await resend(st, store);
    const v = verifyLog(store);
    checkCrash(checks, store, kills, st, r, v);
    return {
      dialect: store.dialect,
      kills,
      acknowledged: st.acked.size,
      retried: r.retried,
      stored: r.stored,
      checkpoints: v.checkpoints,
      treeSize: v.treeSize,
      verifyOk: v.ok,
    };
  } catch (e) {
    if (st.server) console.error(`--- server log (last 30 lines) ---\n${st.server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    if (st.server) await killServer(st.server);
  }
}
