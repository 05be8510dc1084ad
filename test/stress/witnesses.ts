// The server cosigned by real witnesses, all as separate processes: `next start` with three
// `ledgerline witness serve` processes (quorum 2), then with one. Properties: every
// checkpoint the server serves carries cosignature lines that verify with lib/core; ingest
// answers say by when their entries are covered; a witness killed never stops ingest, is
// reported silent on /api/v1/integrity after LEDGERLINE_WITNESS_ALERT_AFTER, and cosigns
// again once restarted on its port; SIGTERM signs the unsigned tail before the process exits.
import {
  generateSigningKey,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signerKeyString,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { checkCosignatures, parseCosignerVerifierKey } from "@/lib/core/tlog/index.ts";
import {
  killWitness,
  startWitness,
  witnessKey,
  witnessesEnv,
  type WitnessProcess,
} from "../support/witness-process.ts";
import {
  createIngestKey,
  createReadToken,
  fetchFresh,
  log,
  makeEvent,
  sleep,
  startServer,
  stopServer,
  type Checks,
  type Server,
  type Store,
} from "./support.ts";

const ORIGIN = "stress.test/witnessed";
const SOURCE = "spiffe://stress.test/witnessed";

export type WitnessReport = { dialect: string; cosignLatencyMs: number[]; shutdownTailSigned: boolean };

type Cosigned = { size: number; witnesses: string[] };

/** The served checkpoint's size and the witnesses whose cosignature lines verify over it. */
export async function servedCheckpoint(server: Server, logVkey: string, ws: WitnessProcess[]): Promise<Cosigned> {
  const note = await (await fetchFresh(`${server.url}/tlog/checkpoint`)).text();
  const opened = openNote(note, [parseVerifierKey(logVkey)]);
  if (!opened.ok) return { size: -1, witnesses: [] };
  const check = checkCosignatures(
    note,
    ws.map((w) => parseCosignerVerifierKey(w.vkey)),
    { now: Math.floor(Date.now() / 1000), maxFutureSeconds: 60 },
  );
  return { size: parseCheckpoint(opened.text).size, witnesses: check.valid.map((v) => v.name).sort() };
}

/** Polls until `pred` holds for the served checkpoint (or `ms` pass); returns the last one seen. */
async function waitFor(
  server: Server,
  logVkey: string,
  ws: WitnessProcess[],
  pred: (c: Cosigned) => boolean,
  ms = 60_000,
): Promise<Cosigned & { ok: boolean; waitedMs: number }> {
  const t0 = Date.now();
  let last: Cosigned = { size: -1, witnesses: [] };
  while (Date.now() - t0 < ms) {
    last = await servedCheckpoint(server, logVkey, ws);
    if (pred(last)) return { ...last, ok: true, waitedMs: Date.now() - t0 };
    await sleep(100);
  }
  return { ...last, ok: false, waitedMs: Date.now() - t0 };
}

export async function runWitnesses(checks: Checks, store: Store, quick: boolean): Promise<WitnessReport> {
  const tag = `witnesses ${store.dialect}`;
  const logKey = generateSigningKey(ORIGIN);
  const logVkey = verifierKeyString(logKey.name, logKey.publicKey);
  const keys = ["a", "b", "c"].map((n) => witnessKey(`stress.test/witness-${n}`));
  const ws: WitnessProcess[] = [];
  let server: Server | null = null;
  const report: WitnessReport = { dialect: store.dialect, cosignLatencyMs: [], shutdownTailSigned: false };
  const env = (extra: Record<string, string>) => ({
    LEDGERLINE_ORIGIN: ORIGIN,
    LEDGERLINE_SIGNING_KEY: signerKeyString(logKey.name, logKey.seed),
    LEDGERLINE_VERIFY_INTERVAL: "0",
    LEDGERLINE_WITNESS_TIMEOUT: "3",
    ...extra,
  });
  try {
    for (const k of keys) ws.push(await startWitness(k, logVkey));
    const ingestKey = createIngestKey(store, SOURCE);
    const token = createReadToken(store, "auditor");
    server = await startServer(
      store,
      env({
        LEDGERLINE_CHECKPOINT_INTERVAL: "1",
        LEDGERLINE_WITNESSES: witnessesEnv(ws),
        LEDGERLINE_WITNESS_QUORUM: "2",
        LEDGERLINE_WITNESS_ALERT_AFTER: "3",
      }),
    );
    let n = 0;
    /** Sends `count` events; returns the largest seq they got (the tree is at least that large). */
    const ingest = async (count: number): Promise<number> => {
      const r = await fetchFresh(`${server!.url}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
        body: JSON.stringify(Array.from({ length: count }, () => makeEvent(tag, n++))),
      });
      const j = (await r.json()) as { accepted?: Array<{ seq: number }> };
      if (r.status !== 201 || !j.accepted) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(j)}`);
      return Math.max(...j.accepted.map((a) => a.seq));
    };
    // coveredBy: the answer names the next checkpoint, at most one interval away.
    const res = await fetchFresh(`${server.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
      body: JSON.stringify([makeEvent(tag, n++)]),
    });
    const body = (await res.json()) as { coveredBy?: string; checkpointInterval?: number };
    const due = Date.parse(body.coveredBy ?? "") - Date.now();
    checks.check(
      `${tag}: the ingest answer says by when its entries are covered (≤ 1 interval)`,
      res.status === 201 && body.checkpointInterval === 1 && due > -2000 && due <= 1500,
      JSON.stringify(body),
    );
    const rounds = quick ? 3 : 10;
    for (let i = 0; i < rounds; i++) {
      const size = await ingest(50);
      const c = await waitFor(server, logVkey, ws, (x) => x.size >= size && x.witnesses.length === 3);
      report.cosignLatencyMs.push(c.waitedMs);
      if (!c.ok) checks.check(`${tag}: round ${i}: checkpoint ${size} cosigned by all three`, false, JSON.stringify(c));
    }
    checks.check(
      `${tag}: every served checkpoint carried three valid cosignatures`,
      report.cosignLatencyMs.length === rounds,
    );

    await killWitness(ws[2]!);
    const t0 = Date.now();
    const size = await ingest(100);
    checks.check(
      `${tag}: ingest with a witness down answers at once`,
      Date.now() - t0 < 10_000,
      `${Date.now() - t0} ms`,
    );
    const two = await waitFor(server, logVkey, ws, (x) => x.size >= size && x.witnesses.length === 2);
    checks.check(`${tag}: the two live witnesses still cosign (quorum 2)`, two.ok, JSON.stringify(two));
    // Each read below is itself logged, so the log keeps growing and the newest checkpoint may be
    // a moment away from its cosignatures: the quorum must be reached again, not at every instant.
    let silent = false;
    let quorum = false;
    for (let i = 0; i < 150 && !(silent && quorum); i++) {
      await sleep(200);
      const st = (await (
        await fetchFresh(`${server.url}/api/v1/integrity`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        witnesses: { alerts: Array<{ witness: string; kind: string }>; latest: { quorumReached: boolean } };
      };
      silent ||= st.witnesses.alerts.some((a) => a.kind === "silent" && a.witness === "stress.test/witness-c");
      if (silent) quorum ||= st.witnesses.latest.quorumReached;
    }
    checks.check(`${tag}: quorum still reached without it`, quorum, silent ? "" : "never reported silent");
    checks.check(`${tag}: the dead witness is reported silent on /api/v1/integrity`, silent, "");
    ws[2] = await startWitness(keys[2]!, logVkey, { port: ws[2]!.port });
    const back = await waitFor(server, logVkey, ws, (x) => x.witnesses.length === 3, 90_000);
    checks.check(`${tag}: restarted on its port, it catches up and cosigns again`, back.ok, JSON.stringify(back));
    await stopServer(server);

    // One witness, no timer to speak of: only the shutdown can sign the tail.
    server = await startServer(
      store,
      env({ LEDGERLINE_CHECKPOINT_INTERVAL: "3600", LEDGERLINE_WITNESSES: witnessesEnv([ws[0]!]) }),
    );
    const tail = await ingest(120);
    const before = await servedCheckpoint(server, logVkey, ws);
    checks.check(`${tag}: the tail is not yet under a checkpoint`, before.size < tail, JSON.stringify(before));
    await stopServer(server);
    const signedLine = server.log.find((l) => /shutdown: checkpoint signed at tree size (\d+)/.test(l));
    const signedSize = Number(/tree size (\d+)/.exec(signedLine ?? "")?.[1]);
    report.shutdownTailSigned = signedSize === tail;
    checks.check(`${tag}: SIGTERM signs the tail before exit`, signedSize === tail, server.log.slice(-8).join("\n"));
    server = await startServer(store, env({ LEDGERLINE_CHECKPOINT_INTERVAL: "3600" }));
    const after = await servedCheckpoint(server, logVkey, ws);
    checks.check(
      `${tag}: that checkpoint is served, cosigned by the one witness before the process ended`,
      after.size === tail && after.witnesses.includes("stress.test/witness-a"),
      JSON.stringify(after),
    );
    log(`${tag}: cosigned in ${report.cosignLatencyMs.join(", ")} ms after ingest`);
    return report;
  } finally {
    if (server) await stopServer(server);
    for (const w of ws) await killWitness(w);
  }
}
