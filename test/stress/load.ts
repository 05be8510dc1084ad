// Load: sustained ingest at a target rate with 25 dashboard readers beside it,
// then an overload of k× that rate, then recovery — against a real server on
// 127.0.0.1, driven by autocannon. Properties checked (they fail for real):
//   - every answer is 2xx, 429 or 503 (zero other 5xx, zero other 4xx, no timeouts);
//   - the server serves the target rate again within the recovery limit after the overload;
//   - afterwards, the 2xx-acknowledged events of the load's ingest key equal the
//     entries stored for its source, each id once; and the whole log verifies.
import autocannon from "autocannon";
import {
  Checks,
  createIngestKey,
  createReadToken,
  isStaleSocket,
  log,
  makeEvent,
  newSqliteStore,
  percentile,
  postBatch,
  sleep,
  startServer,
  stopServer,
  storedIds,
  verifyLog,
  type Store,
} from "./support.ts";

export type LoadSize = {
  /** Events per second at the target rate. */
  rate: number;
  batch: number;
  sustainS: number;
  overloadFactor: number;
  overloadS: number;
  readers: number;
  /** Seconds the server may take to serve the target rate again after the overload. */
  recoveryLimitS: number;
};

export const LOAD_FULL: LoadSize = {
  rate: 2500,
  batch: 50,
  sustainS: 60,
  overloadFactor: 5,
  overloadS: 15,
  readers: 25,
  recoveryLimitS: 10,
};
export const LOAD_QUICK: LoadSize = {
  rate: 1000,
  batch: 50,
  sustainS: 10,
  overloadFactor: 2,
  overloadS: 5,
  readers: 25,
  recoveryLimitS: 10,
};

const SOURCE = "spiffe://stress.example/ns/load/sa/generator";
const ALLOWED = new Set([200, 201, 429, 503]);

type Tally = { statuses: Map<number, number>; acked: Set<string>; duplicates: number; latencies: number[] };

function tally(): Tally {
  return { statuses: new Map(), acked: new Set(), duplicates: 0, latencies: [] };
}

/** One autocannon run of ingest POSTs with unique ids, counting every status and acknowledged id. */
function ingestRun(
  url: string,
  key: string,
  t: Tally,
  prefix: string,
  o: { reqPerS: number; seconds: number; batch: number; connections: number },
) {
  // Bodies are made before the run: the client shares the machine (and its event loop
  // the recovery probe) with the server, and must not be what limits the offered load.
  const amount = Math.max(1, Math.round(o.reqPerS * o.seconds));
  let m = 0;
  const bodies = Array.from({ length: amount }, () =>
    JSON.stringify(Array.from({ length: o.batch }, () => makeEvent(prefix, m++))),
  );
  let n = 0;
  return autocannon({
    url: `${url}/api/v1/events`,
    connections: o.connections,
    overallRate: o.reqPerS,
    // A fixed number of requests, not a duration: at a duration's end autocannon drops the
    // requests in flight, whose events the server may have stored — acks the client lost.
    amount,
    timeout: 120,
    requests: [
      {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[n++ % bodies.length] }),
        onResponse: (status: number, body: string) => {
          t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
          if (status === 200 || status === 201) {
            const j = JSON.parse(body) as { accepted: Array<{ id: string }>; duplicates: unknown[] };
            for (const a of j.accepted) t.acked.add(a.id);
            t.duplicates += j.duplicates.length;
          }
        },
      },
    ],
  } as autocannon.Options);
}

function readersRun(url: string, token: string, t: Tally, o: { readers: number; seconds: number }) {
  // What a dashboard asks: a filtered page over the last day, and the summary charts.
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const paths = [
    `/api/v1/events?from=${encodeURIComponent(from)}&limit=100`,
    `/api/v1/events?requester=${encodeURIComponent("spiffe://stress.example/ns/shop/sa/svc-1*")}&limit=50`,
    `/api/v1/events?outcome=denied&limit=100`,
    `/api/v1/events/summary?from=${encodeURIComponent(from)}`,
  ];
  let i = 0;
  return autocannon({
    url,
    connections: o.readers,
    // Each reader refreshes about once a second, like a person on a live dashboard.
    overallRate: o.readers,
    duration: o.seconds,
    timeout: 60,
    requests: [
      {
        method: "GET",
        headers: { authorization: `Bearer ${token}` },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths[i++ % paths.length] }),
        onResponse: (status: number) => {
          t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
        },
      },
    ],
  } as autocannon.Options);
}

const fmtStatuses = (m: Map<number, number>) =>
  [...m.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}×${n}`)
    .join(" ") || "none";

export type LoadReport = {
  size: LoadSize;
  sustained: { eventsPerS: number; p50: number; p99: number; statuses: string; errors: number; timeouts: number };
  readers: { reqPerS: number; p50: number; p99: number; statuses: string };
  overload: {
    offeredEventsPerS: number;
    eventsPerS: number;
    p99: number;
    statuses: string;
    errors: number;
    timeouts: number;
  };
  recoveryS: number | null;
  acknowledged: number;
  stored: number;
  verify: { ok: boolean; treeSize: number };
};

export async function runLoad(checks: Checks, size: LoadSize, storeIn?: Store): Promise<LoadReport> {
  const store = storeIn ?? newSqliteStore("load");
  // The 25 readers share one read token (one user): the per-user read limit is off
  // so they measure capacity, not that limit (test/security/auth.ts checks it).
  const server = await startServer(store, { LEDGERLINE_READ_RATE_LIMIT: "0" });
  try {
    log(
      `load: server at ${server.url} (${store.dialect}); target ${size.rate} events/s in batches of ${size.batch} for ${size.sustainS} s, ${size.readers} readers; then ${size.overloadFactor}× for ${size.overloadS} s`,
    );
    const key = createIngestKey(store, SOURCE);
    const token = createReadToken(store, "auditor");
    // Warm the routes (first requests compile/load bundles).
    for (let i = 0; i < 3; i++) {
      const w = await postBatch(server.url, key, [makeEvent("load-warm", i)]);
      if (w.status !== 201) throw new Error(`warm-up POST: ${w.status} ${w.error ?? ""}`);
      const get = () =>
        fetch(`${server.url}/api/v1/events?limit=10`, { headers: { authorization: `Bearer ${token}` } });
      const r = await get().catch((e: unknown) => (isStaleSocket(e) ? get() : Promise.reject(e)));
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`warm-up GET /api/v1/events: ${r.status}`);
    }
    const warmAcked = 3;
    const reqPerS = size.rate / size.batch;

    const sus = tally();
    const rd = tally();
    const [sRes, rRes] = await Promise.all([
      ingestRun(server.url, key, sus, "load-s", {
        reqPerS,
        seconds: size.sustainS,
        batch: size.batch,
        connections: 20,
      }),
      readersRun(server.url, token, rd, { readers: size.readers, seconds: size.sustainS }),
    ]);
    const sustainedEvents = sus.acked.size;
    log(
      `load: sustained ${Math.round(sustainedEvents / size.sustainS)} events/s, p50 ${sRes.latency.p50} ms, p99 ${sRes.latency.p99} ms; readers p99 ${rRes.latency.p99} ms`,
    );

    const over = tally();
    const overStart = Date.now();
    const overRun = ingestRun(server.url, key, over, "load-o", {
      reqPerS: reqPerS * size.overloadFactor,
      seconds: size.overloadS,
      batch: size.batch,
      connections: 100,
    });
    // The offered overload ends after overloadS; what the server queued meanwhile is still
    // being answered. Recovery = from the end of that window until a batch sent at the
    // target rate is answered 2xx about as fast as under sustained load again.
    const overEnd = overStart + size.overloadS * 1000;
    const fastMs = Math.max(1000, 2 * sRes.latency.p99);
    await sleep(Math.max(0, overEnd - Date.now()));
    const probe = tally();
    let recoveryS: number | null = null;
    let p = 0;
    while (Date.now() - overEnd < Math.max(60_000, size.recoveryLimitS * 6000)) {
      const t0 = Date.now();
      const r = await postBatch(
        server.url,
        key,
        Array.from({ length: size.batch }, () => makeEvent("load-p", p++)),
        120_000,
      );
      probe.statuses.set(r.status, (probe.statuses.get(r.status) ?? 0) + 1);
      for (const id of r.acked) probe.acked.add(id);
      if ((r.status === 201 || r.status === 200) && Date.now() - t0 < fastMs) {
        recoveryS = (Date.now() - overEnd) / 1000;
        break;
      }
      await sleep(Math.max(0, 1000 / reqPerS - (Date.now() - t0)));
    }
    const oRes = await overRun;
    const overSeconds = (Date.now() - overStart) / 1000;
    log(
      `load: overload ${Math.round(over.acked.size / overSeconds)} events/s acknowledged over ${overSeconds.toFixed(0)} s of ${size.rate * size.overloadFactor} offered for ${size.overloadS} s; p99 ${oRes.latency.p99} ms; statuses ${fmtStatuses(over.statuses)}; recovered ${recoveryS === null ? "never" : `${recoveryS.toFixed(1)} s`} after the window`,
    );

    const acknowledged = warmAcked + sus.acked.size + over.acked.size + probe.acked.size;
    await sleep(200);
    const ids = await storedIds(store, SOURCE);
    const stored = [...ids.values()].reduce((a, b) => a + b, 0);
    const missing = [...sus.acked, ...over.acked, ...probe.acked].filter((id) => ids.get(id) !== 1);
    const v = verifyLog(store);

    const bad = (t: Tally) => [...t.statuses.entries()].filter(([s]) => !ALLOWED.has(s));
    checks.check(
      "sustained: only 2xx/429/503, no errors or timeouts",
      bad(sus).length === 0 && sRes.errors === 0 && sRes.timeouts === 0,
      `statuses ${fmtStatuses(sus.statuses)}, errors ${sRes.errors}, timeouts ${sRes.timeouts}`,
    );
    checks.check(
      "readers: every dashboard read answered 200",
      [...rd.statuses.keys()].every((s) => s === 200) && rRes.errors === 0,
      `statuses ${fmtStatuses(rd.statuses)}, errors ${rRes.errors}, p99 ${rRes.latency.p99} ms`,
    );
    checks.check(
      `overload ${size.overloadFactor}×: only 2xx/429/503 (zero other 5xx), no errors or timeouts`,
      bad(over).length === 0 && oRes.errors === 0 && oRes.timeouts === 0,
      `statuses ${fmtStatuses(over.statuses)}, errors ${oRes.errors}, timeouts ${oRes.timeouts}`,
    );
    checks.check(
      `recovers within ${size.recoveryLimitS} s (a target-rate batch answered 2xx in < ${fastMs} ms)`,
      recoveryS !== null && recoveryS <= size.recoveryLimitS,
      recoveryS === null ? "never" : `${recoveryS.toFixed(1)} s`,
    );
    checks.check(
      "2xx-acknowledged events = new entries, each once",
      stored === acknowledged && missing.length === 0 && sus.duplicates + over.duplicates === 0,
      `${acknowledged} acknowledged, ${stored} stored, ${missing.length} acknowledged but not stored exactly once`,
    );
    checks.check(
      "the log verifies",
      v.ok,
      `tree size ${v.treeSize}, ${v.checkpoints} checkpoints${v.reason ? `, ${v.reason}` : ""}`,
    );

    return {
      size,
      sustained: {
        eventsPerS: sustainedEvents / size.sustainS,
        p50: sRes.latency.p50,
        p99: sRes.latency.p99,
        statuses: fmtStatuses(sus.statuses),
        errors: sRes.errors,
        timeouts: sRes.timeouts,
      },
      readers: {
        reqPerS: rRes.requests.average,
        p50: rRes.latency.p50,
        p99: rRes.latency.p99,
        statuses: fmtStatuses(rd.statuses),
      },
      overload: {
        offeredEventsPerS: size.rate * size.overloadFactor,
        eventsPerS: over.acked.size / overSeconds,
        p99: oRes.latency.p99,
        statuses: fmtStatuses(over.statuses),
        errors: oRes.errors,
        timeouts: oRes.timeouts,
      },
      recoveryS,
      acknowledged,
      stored,
      verify: { ok: v.ok, treeSize: v.treeSize },
    };
  } catch (e) {
    console.error(`--- server log (last 30 lines) ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    await stopServer(server);
  }
}

export { percentile };
