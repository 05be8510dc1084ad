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

/** One dialect's run: the log key, the witness processes, the server of the moment. */
class WitnessRun {
  readonly tag: string;
  readonly logKey = generateSigningKey(ORIGIN);
  readonly logVkey = verifierKeyString(this.logKey.name, this.logKey.publicKey);
  readonly keys = ["a", "b", "c"].map((n) => witnessKey(`stress.test/witness-${n}`));
  readonly ws: WitnessProcess[] = [];
  server: Server | null = null;
  ingestKey = "";
  token = "";
  private n = 0;
  constructor(
    readonly checks: Checks,
    readonly store: Store,
  ) {
    this.tag = `witnesses ${store.dialect}`;
  }
  env(extra: Record<string, string>) {
    return {
      LEDGERLINE_ORIGIN: ORIGIN,
      LEDGERLINE_SIGNING_KEY: signerKeyString(this.logKey.name, this.logKey.seed),
      LEDGERLINE_VERIFY_INTERVAL: "0",
      LEDGERLINE_WITNESS_TIMEOUT: "3",
      ...extra,
    };
  }
  async start(extra: Record<string, string>): Promise<Server> {
    this.server = await startServer(this.store, this.env(extra));
    return this.server;
  }
  async stop() {
    const s = this.server;
    this.server = null;
    if (s) await stopServer(s);
  }
  /** POSTs `count` events; the raw answer. */
  post(count: number) {
    return fetchFresh(`${this.server!.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.ingestKey}`, "content-type": "application/json" },
      body: JSON.stringify(Array.from({ length: count }, () => makeEvent(this.tag, this.n++))),
    });
  }
  /** Sends `count` events; returns the largest seq they got (the tree is at least that large). */
  async ingest(count: number): Promise<number> {
    const r = await this.post(count);
    const j = (await r.json()) as { accepted?: Array<{ seq: number }> };
    if (r.status !== 201 || !j.accepted) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(j)}`);
    return Math.max(...j.accepted.map((a) => a.seq));
  }
  waitFor(pred: (c: Cosigned) => boolean, ms?: number) {
    return waitFor(this.server!, this.logVkey, this.ws, pred, ms);
  }
}

export async function runWitnesses(checks: Checks, store: Store, quick: boolean): Promise<WitnessReport> {
  const run = new WitnessRun(checks, store);
  const report: WitnessReport = { dialect: store.dialect, cosignLatencyMs: [], shutdownTailSigned: false };
  try {
    for (const k of run.keys) run.ws.push(await startWitness(k, run.logVkey));
    run.ingestKey = createIngestKey(store, SOURCE);
    run.token = createReadToken(store, "auditor");
    await run.start({
      LEDGERLINE_CHECKPOINT_INTERVAL: "1",
      LEDGERLINE_WITNESSES: witnessesEnv(run.ws),
      LEDGERLINE_WITNESS_QUORUM: "2",
      LEDGERLINE_WITNESS_ALERT_AFTER: "3",
    });
    await checkCoveredBy(run);
    report.cosignLatencyMs = await cosignRounds(run, quick ? 3 : 10);
    await oneWitnessDown(run);
    await run.stop();
    report.shutdownTailSigned = await shutdownSignsTail(run);
    log(`${run.tag}: cosigned in ${report.cosignLatencyMs.join(", ")} ms after ingest`);
    return report;
  } finally {
    await run.stop();
    for (const w of run.ws) await killWitness(w);
  }
}

/** coveredBy: the answer names the next checkpoint, at most one interval away. */
async function checkCoveredBy(run: WitnessRun) {
  const res = await run.post(1);
  const body = (await res.json()) as { coveredBy?: string; checkpointInterval?: number };
  const due = Date.parse(body.coveredBy ?? "") - Date.now();
  run.checks.check(
    `${run.tag}: the ingest answer says by when its entries are covered (≤ 1 interval)`,
    res.status === 201 && body.checkpointInterval === 1 && due > -2000 && due <= 1500,
    JSON.stringify(body),
  );
}

/** Rounds of ingest, each waited for until all three cosign; the waits in ms. */
async function cosignRounds(run: WitnessRun, rounds: number): Promise<number[]> {
  const latency: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const size = await run.ingest(50);
    const c = await run.waitFor((x) => x.size >= size && x.witnesses.length === 3);
    latency.push(c.waitedMs);
    if (!c.ok)
      run.checks.check(`${run.tag}: round ${i}: checkpoint ${size} cosigned by all three`, false, JSON.stringify(c));
  }
  run.checks.check(`${run.tag}: every served checkpoint carried three valid cosignatures`, latency.length === rounds);
  return latency;
}

/** Witness c killed: ingest goes on, the two others keep the quorum, c is reported silent, then comes back. */
async function oneWitnessDown(run: WitnessRun) {
  const { checks, tag, ws } = run;
  await killWitness(ws[2]!);
  const t0 = Date.now();
  const size = await run.ingest(100);
  checks.check(`${tag}: ingest with a witness down answers at once`, Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
  const two = await run.waitFor((x) => x.size >= size && x.witnesses.length === 2);
  checks.check(`${tag}: the two live witnesses still cosign (quorum 2)`, two.ok, JSON.stringify(two));
  const { silent, quorum } = await watchSilentWitness(run);
  checks.check(`${tag}: quorum still reached without it`, quorum, silent ? "" : "never reported silent");
  checks.check(`${tag}: the dead witness is reported silent on /api/v1/integrity`, silent, "");
  ws[2] = await startWitness(run.keys[2]!, run.logVkey, { port: ws[2]!.port });
  const back = await run.waitFor((x) => x.witnesses.length === 3, 90_000);
  checks.check(`${tag}: restarted on its port, it catches up and cosigns again`, back.ok, JSON.stringify(back));
}

// Each read below is itself logged, so the log keeps growing and the newest checkpoint may be
// a moment away from its cosignatures: the quorum must be reached again, not at every instant.
async function watchSilentWitness(run: WitnessRun): Promise<{ silent: boolean; quorum: boolean }> {
  let silent = false;
  let quorum = false;
  for (let i = 0; i < 150 && !(silent && quorum); i++) {
    await sleep(200);
    const st = (await (
      await fetchFresh(`${run.server!.url}/api/v1/integrity`, { headers: { authorization: `Bearer ${run.token}` } })
    ).json()) as {
      witnesses: { alerts: Array<{ witness: string; kind: string }>; latest: { quorumReached: boolean } };
    };
    silent ||= st.witnesses.alerts.some((a) => a.kind === "silent" && a.witness === "stress.test/witness-c");
    if (silent) quorum ||= st.witnesses.latest.quorumReached;
  }
  return { silent, quorum };
}

/** One witness, no timer to speak of: only the shutdown can sign the tail. */
async function shutdownSignsTail(run: WitnessRun): Promise<boolean> {
  const { checks, tag, ws, logVkey } = run;
  let server = await run.start({
    LEDGERLINE_CHECKPOINT_INTERVAL: "3600",
    LEDGERLINE_WITNESSES: witnessesEnv([ws[0]!]),
  });
  const tail = await run.ingest(120);
  const before = await servedCheckpoint(server, logVkey, ws);
  checks.check(`${tag}: the tail is not yet under a checkpoint`, before.size < tail, JSON.stringify(before));
  await run.stop();
  const signedLine = server.log.find((l) => /shutdown: checkpoint signed at tree size (\d+)/.test(l));
  const signedSize = Number(/tree size (\d+)/.exec(signedLine ?? "")?.[1]);
  checks.check(`${tag}: SIGTERM signs the tail before exit`, signedSize === tail, server.log.slice(-8).join("\n"));
  server = await run.start({ LEDGERLINE_CHECKPOINT_INTERVAL: "3600" });
  const after = await servedCheckpoint(server, logVkey, ws);
  checks.check(
    `${tag}: that checkpoint is served, cosigned by the one witness before the process ended`,
    after.size === tail && after.witnesses.includes("stress.test/witness-a"),
    JSON.stringify(after),
  );
  return signedSize === tail;
}
