import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LedgerlineClient, LedgerlineError, parseRetryAfter } from "./index.ts";

// Against a real HTTP server on 127.0.0.1 (no fetch mocks): what goes over the wire is what is asserted.

type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | "hangup";

async function serve(script: Reply[]) {
  const seen: Array<{ at: number; auth?: string; body: Array<Record<string, unknown>> }> = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Array<Record<string, unknown>>;
    seen.push({ at: Date.now(), auth: req.headers.authorization, body });
    const reply = script[Math.min(seen.length - 1, script.length - 1)]!;
    if (reply === "hangup") {
      req.socket.destroy();
      return;
    }
    const payload = reply.body ?? {
      accepted: body.map((e, i) => ({ id: e.id, seq: i + 1, leafHash: "x" })),
      duplicates: [],
    };
    res.writeHead(reply.status, {
      "content-type": reply.status >= 400 ? "application/problem+json" : "application/json",
      ...reply.headers,
    });
    res.end(JSON.stringify(payload));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, seen };
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

const event = (n: number) => ({
  timestamp: new Date(Date.UTC(2026, 10, 1, 0, 0, n)),
  eventType: "read" as const,
  requester: { id: "spiffe://t/ns/a/sa/b" },
  target: { id: `db://x/${n}` },
  outcome: "success" as const,
});

const client = (url: string, over: Partial<ConstructorParameters<typeof LedgerlineClient>[0]> = {}) =>
  new LedgerlineClient({
    url,
    key: "llk_test",
    flushIntervalMs: 0,
    exitHook: false,
    minBackoffMs: 10,
    maxBackoffMs: 50,
    ...over,
  });

describe("LedgerlineClient", () => {
  it("batches, sends the key, assigns UUIDv7 ids and keeps caller ids", async () => {
    const { url, seen } = await serve([{ status: 201 }]);
    const c = client(url, { batchSize: 2 });
    const ids = [c.log(event(1)), c.log({ ...event(2), id: "mine-2" }), c.log(event(3))];
    await c.close();
    expect(seen.map((s) => s.body.length)).toEqual([2, 1]);
    expect(seen[0]!.auth).toBe("Bearer llk_test");
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe("mine-2");
    expect(seen.flatMap((s) => s.body.map((e) => e.id))).toEqual(ids);
    expect(seen[0]!.body[0]!.timestamp).toBe("2026-11-01T00:00:01.000Z");
  });

  it("retries 429 after Retry-After and 503, resending the same ids, until 201", async () => {
    const { url, seen } = await serve([
      { status: 429, headers: { "retry-after": "1" }, body: { title: "Too many requests", status: 429 } },
      { status: 503, headers: { "retry-after": "0" }, body: { title: "Service unavailable", status: 503 } },
      { status: 201 },
    ]);
    const c = client(url);
    const r = await c.send([{ ...event(1), id: "e-1", timestamp: "2026-11-01T00:00:00Z" }]);
    expect(r.status).toBe(201);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.body[0]!.id === "e-1")).toBe(true);
    // Retry-After: 1 is a floor, whatever the jitter drew.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("retries a dropped connection", async () => {
    const { url, seen } = await serve(["hangup", { status: 201 }]);
    const r = await client(url).send([{ ...event(1), id: "e-1", timestamp: "2026-11-01T00:00:00Z" }]);
    expect(r.accepted).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });
});

describe("LedgerlineClient: failures and timing", () => {
  it("does not retry other 4xx; surfaces the problem+json to onError and the rejected flush", async () => {
    const problem = {
      title: "Invalid event",
      status: 422,
      detail: "1 of 1 events are invalid",
      errors: [{ index: 0, pointer: "/0/outcome", detail: "must be one of" }],
    };
    const { url, seen } = await serve([{ status: 422, body: problem }]);
    const errors: LedgerlineError[] = [];
    const c = client(url, { onError: (e) => errors.push(e) });
    c.log(event(1));
    const err = await c.flush().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerlineError);
    expect((err as LedgerlineError).status).toBe(422);
    expect((err as LedgerlineError).problem?.errors?.[0]?.pointer).toBe("/0/outcome");
    expect(errors).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  it("gives up after maxRetries on persistent 5xx", async () => {
    const { url, seen } = await serve([{ status: 503, body: { title: "Service unavailable" } }]);
    const err = await client(url, { maxRetries: 2 })
      .send([{ ...event(1), id: "e", timestamp: "2026-11-01T00:00:00Z" }])
      .catch((e: unknown) => e);
    expect((err as LedgerlineError).status).toBe(503);
    expect((err as LedgerlineError).retryable).toBe(true);
    expect(seen).toHaveLength(3);
  });

  it("flushes on the interval timer", async () => {
    const { url, seen } = await serve([{ status: 201 }]);
    const c = client(url, { flushIntervalMs: 30 });
    c.log(event(1));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(1);
    await c.close();
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
