import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  SIZE_CONTENT_TYPE,
  cosignCheckpoint,
  cosignerVerifierKey,
  decideAddCheckpoint,
  formatSizeResponse,
  type AddCheckpointAccepted,
  type AddCheckpointRefusal,
  type LogKey,
} from "@/lib/core/tlog/index.ts";
import type { WitnessState } from "./state.ts";

// A standalone C2SP tlog-witness (https://c2sp.org/tlog-witness): one HTTP endpoint,
// POST /add-checkpoint. It holds its own key and its own state, and needs nothing from the
// log but the checkpoints the log sends it; anyone can run one. The checks themselves are
// lib/core's decideAddCheckpoint; this file adds HTTP, persistence, limits and a log line
// for every decision.

/** The Go witnesses' request cap: a checkpoint with 16 signatures and 63 proof lines fits easily. */
export const MAX_BODY_BYTES = 16 * 1024;

export type WitnessOptions = {
  signer: { name: string; seed: Uint8Array; publicKey: Uint8Array };
  logs: LogKey[];
  state: WitnessState;
  /** Requests per second per log (after the log's signature verified), and the burst. */
  rate: number;
  burst: number;
  log: (line: string) => void;
  now?: () => number;
};

type Bucket = { tokens: number; at: number };

type Reply = { status: number; type: string; body: string; headers?: Record<string, string> };
type Decision =
  AddCheckpointAccepted | AddCheckpointRefusal | { ok: false; status: 429; retryAfter: number; origin: string };
type Take = (origin: string) => { ok: true } | { ok: false; retryAfter: number };

const TEXT = "text/plain; charset=utf-8";

export function createWitnessServer(opts: WitnessOptions): http.Server {
  const byOrigin = new Map<string, LogKey[]>();
  for (const k of opts.logs) byOrigin.set(k.name, [...(byOrigin.get(k.name) ?? []), k]);
  const vkey = cosignerVerifierKey(opts.signer.name, opts.signer.publicKey);
  const take = rateLimiter(opts);
  const handle = (body: string): Reply => addCheckpoint(opts, byOrigin, take, body);
  const server = http.createServer((req, res) => serveRequest(opts, vkey, handle, req, res));
  server.keepAliveTimeout = 30_000;
  return server;
}

/** One token per verified request; false when the log is over its rate. */
function rateLimiter(opts: WitnessOptions): Take {
  const buckets = new Map<string, Bucket>();
  const now = opts.now ?? Date.now;
  return (origin) => {
    const t = now();
    const b = buckets.get(origin) ?? { tokens: opts.burst, at: t };
    b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.rate);
    b.at = t;
    buckets.set(origin, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / opts.rate)) };
  };
}

/** POST /add-checkpoint with a UTF-8 body: decide, persist, cosign or refuse, and log the decision. */
function addCheckpoint(opts: WitnessOptions, byOrigin: Map<string, LogKey[]>, take: Take, body: string): Reply {
  const now = opts.now ?? Date.now;
  const started = performance.now();
  // Check and persist in one write transaction: nothing can slip between them.
  const decision: Decision = opts.state.transaction(() => {
    const d = decideAddCheckpoint(
      body,
      (o) => byOrigin.get(o),
      (o) => opts.state.get(o),
    );
    // Only requests carrying the log's valid signature spend (and are limited by) its budget.
    const verified = d.ok || !["malformed", "unknown-log", "bad-signature"].includes(d.kind);
    if (verified && d.origin) {
      const r = take(d.origin);
      if (!r.ok) return { ok: false as const, status: 429 as const, retryAfter: r.retryAfter, origin: d.origin };
    }
    if (d.ok) opts.state.put(d.origin, d.next, body.slice(body.indexOf("\n\n") + 2), new Date(now()).toISOString());
    else if (d.alert && d.origin) {
      opts.state.addEvidence({
        origin: d.origin,
        kind: d.kind,
        detail: d.detail,
        request: body,
        receivedAt: new Date(now()).toISOString(),
      });
    }
    return d;
  });
  return replyTo(opts, decision, (performance.now() - started).toFixed(1));
}

function replyTo(opts: WitnessOptions, decision: Decision, ms: string): Reply {
  const now = opts.now ?? Date.now;
  if (decision.ok) {
    const line = cosignCheckpoint(decision.text, opts.signer, Math.floor(now() / 1000));
    opts.log(`cosigned ${decision.origin} size ${decision.next.size} (old ${decision.oldSize}) in ${ms} ms`);
    return { status: 200, type: TEXT, body: line };
  }
  if (decision.status === 429) {
    opts.log(`rate limited ${decision.origin}: retry after ${decision.retryAfter} s`);
    return {
      status: 429,
      type: TEXT,
      body: `too many requests for ${decision.origin}; retry after ${decision.retryAfter} s\n`,
      headers: { "retry-after": String(decision.retryAfter) },
    };
  }
  const d = decision as AddCheckpointRefusal;
  const where = d.origin ? `${d.origin}: ` : "";
  opts.log(`${d.alert ? "ALERT " : ""}refused (${d.status} ${d.kind}) ${where}${d.detail}`);
  if (d.status === 409 && d.knownSize !== undefined) {
    return { status: 409, type: SIZE_CONTENT_TYPE, body: formatSizeResponse(d.knownSize) };
  }
  return { status: d.status, type: TEXT, body: `${d.kind}: ${d.detail}\n` };
}

type Send = (status: number, type: string, body: string, headers?: Record<string, string>) => void;

/** Routes one request: only POST /add-checkpoint, with a body of at most MAX_BODY_BYTES of UTF-8. */
function serveRequest(
  opts: WitnessOptions,
  vkey: string,
  handle: (body: string) => Reply,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const send: Send = (status, type, body, headers = {}) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
    res.end(body);
  };
  const url = new URL(req.url ?? "/", "http://witness");
  if (url.pathname !== "/add-checkpoint") {
    send(404, TEXT, `This is a tlog-witness (${vkey}); POST /add-checkpoint.\n`);
    return;
  }
  if (req.method !== "POST") {
    send(405, TEXT, "add-checkpoint takes a POST\n", { allow: "POST" });
    return;
  }
  readBody(req, send, (text) => {
    try {
      const r = handle(text);
      send(r.status, r.type, r.body, r.headers);
    } catch (e) {
      opts.log(`error: ${(e as Error).message}`);
      send(500, TEXT, "internal error; nothing was cosigned or stored\n");
    }
  });
}

/** Reads the body up to MAX_BODY_BYTES (413 past it) and hands it on when it is valid UTF-8 (400 when not). */
function readBody(req: http.IncomingMessage, send: Send, onText: (text: string) => void): void {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    send(413, TEXT, `request body over ${MAX_BODY_BYTES} bytes\n`, { connection: "close" });
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY_BYTES) {
      if (!over) send(413, TEXT, `request body over ${MAX_BODY_BYTES} bytes\n`, { connection: "close" });
      over = true;
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on("end", () => {
    if (over) return;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      send(400, TEXT, "malformed: the body is not valid UTF-8\n");
      return;
    }
    onText(text);
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      resolve(`http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}
