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

export async function runCrash(checks: Checks, store: Store, kills: number, seed = 1): Promise<CrashReport> {
  const random = seededRandom(seed);
  const prefix = `crash-${store.dialect}-${Date.now().toString(36)}`;
  const acked = new Set<string>();
  const unacked = new Map<string, Record<string, unknown>>();
  let next = 0;
  let restarts = 0;
  let ackLost = 0;
  let server: Server | null = null;
  const key = createIngestKey(store, SOURCE);
  const signingRound = Math.min(2, kills); // the round whose kill lands during checkpoint signing
  try {
    for (let round = 1; round <= kills; round++) {
      const signing = round === signingRound;
      server = await startServer(
        store,
        signing
          ? { LEDGERLINE_CHECKPOINT_EVERY: "1" }
          : { LEDGERLINE_CHECKPOINT_EVERY: "300", LEDGERLINE_CHECKPOINT_INTERVAL: "1" },
      );
      restarts++;
      const url = server.url;
      let stop = false;
      const writer = async () => {
        while (!stop) {
          const n = signing ? 1000 : 1 + Math.floor(random() * 300);
          const events = Array.from({ length: n }, () => makeEvent(prefix, next++));
          const r = await postBatch(url, key, events, 30_000);
          if (r.status === 200 || r.status === 201) {
            for (const id of r.acked) acked.add(id);
          } else {
            // Never acknowledged: the client keeps it to send again (it may or may not be stored).
            for (const e of events) unacked.set(e.id as string, e);
            if (r.status !== 0 && r.status !== 503) throw new Error(`unexpected ${r.status}: ${r.error}`);
          }
        }
      };
      const writers = Array.from({ length: signing ? 2 : 4 }, writer);
      // A random moment; in the signing round just after 1000-event batches (each signs inline) are in flight.
      await sleep(signing ? 600 + Math.floor(random() * 400) : 300 + Math.floor(random() * 2200));
      await killServer(server);
      stop = true;
      await Promise.all(writers);
      // Every id acknowledged so far must be there, exactly once, right after the crash.
      const ids = await storedIds(store, SOURCE);
      const bad = [...acked].filter((id) => ids.get(id) !== 1);
      ackLost += bad.length;
      log(
        `crash ${store.dialect} ${round}/${kills}${signing ? " (during checkpoint signing)" : ""}: ${acked.size} acknowledged so far, ${ids.size} stored, ${unacked.size} unacknowledged${bad.length ? `, ${bad.length} ACKNOWLEDGED BUT NOT STORED ONCE` : ""}`,
      );
    }
    // Recovery: restart once more and re-send everything never acknowledged.
    server = await startServer(store);
    restarts++;
    const retry = [...unacked.values()];
    let retryFailures = 0;
    for (let i = 0; i < retry.length; i += 500) {
      const r = await postBatch(server.url, key, retry.slice(i, i + 500));
      if (r.status === 200 || r.status === 201) for (const id of r.acked) acked.add(id);
      else retryFailures++;
    }
    const ids = await storedIds(store, SOURCE);
    const stored = [...ids.values()].reduce((a, b) => a + b, 0);
    const notOnce = [...ids.values()].filter((n) => n !== 1).length;
    const missing = [...acked].filter((id) => ids.get(id) !== 1).length;
    await killServer(server);
    server = null;
    const v = verifyLog(store);
    checks.check(`${store.dialect}: restarted after each of ${kills} SIGKILLs`, restarts === kills + 1);
    checks.check(
      `${store.dialect}: every acknowledged id stored exactly once after every crash`,
      ackLost === 0,
      `${ackLost} violations`,
    );
    checks.check(
      `${store.dialect}: re-sent unacknowledged events stored exactly once (nothing lost, nothing doubled)`,
      retryFailures === 0 && missing === 0 && notOnce === 0 && stored === next,
      `${next} sent, ${stored} stored, ${retry.length} re-sent, ${missing} missing, ${notOnce} ids stored ≠ once, ${retryFailures} failed retries`,
    );
    checks.check(
      `${store.dialect}: the whole log verifies after the crashes`,
      v.ok && v.checkpoints >= 1,
      `tree size ${v.treeSize}, ${v.checkpoints} checkpoints${v.reason ? `, ${v.reason}` : ""}`,
    );
    return {
      dialect: store.dialect,
      kills,
      acknowledged: acked.size,
      retried: retry.length,
      stored,
      checkpoints: v.checkpoints,
      treeSize: v.treeSize,
      verifyOk: v.ok,
    };
  } catch (e) {
    if (server) console.error(`--- server log (last 30 lines) ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    if (server) await killServer(server);
  }
}
