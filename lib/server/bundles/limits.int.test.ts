import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger, testApi } from "@/test/support/stores.ts";
import { systemPrincipal, type Principal } from "../auth/principal.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { whenBundlesIdle } from "./queue.ts";
import { insertBundle } from "./store.ts";

// Security regression (issue 13 item 11, bundle endpoint limits):
// - POST /api/v1/bundles read the whole body (a 40 MB one too) before its 64 KiB limit
//   answered 413; it now stops reading at the limit, with the ingest body reader.
// - Nothing bounded how many bundles one user could queue: each is a full export built on
//   the server's disk and CPU. A user now has at most LEDGERLINE_MAX_PENDING_BUNDLES
//   queued or building (429 + Retry-After beyond).

const auditor = (email: string): Principal => ({
  kind: "user",
  userId: `u-${email}`,
  email,
  name: null,
  role: "auditor",
  via: "session",
});

describe.each(DIALECTS)("bundle endpoint limits on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let who: Principal;
  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_MAX_PENDING_BUNDLES: "2" }));
    who = auditor("a@example.com");
  });
  afterEach(async () => {
    await whenBundlesIdle(ledger);
    await cleanup();
  });
  const routes = () => testApi(ledger, async () => who).bundles;

  it("stops reading a body at 64 KiB and answers 413, without pulling the rest of a 40 MB upload", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 640) c.close();
        else c.enqueue(chunk);
      },
    });
    const req = new Request("http://x/api/v1/bundles", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer llr_x" },
      body,
      duplex: "half",
    } as RequestInit);
    const res = await routes().create(req, {});
    expect(res.status).toBe(413);
    expect((await res.json()).detail).toContain("65536 bytes");
    // The stream's own read-ahead (highWaterMark 1) may add one chunk; never the 40 MB.
    expect(pulled).toBeLessThanOrEqual(4);
  });

  it("a declared Content-Length over the limit is refused before reading anything", async () => {
    let pulled = 0;
    const req = new Request("http://x/api/v1/bundles", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": String(40 * 1024 * 1024),
        authorization: "Bearer llr_x",
      },
      body: new ReadableStream({
        pull(c) {
          pulled++;
          c.enqueue(new Uint8Array(1024));
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect((await routes().create(req, {})).status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("a user has at most LEDGERLINE_MAX_PENDING_BUNDLES queued or building; others are not held up", async () => {
    // Two queued bundles of a@example.com that no worker has picked up yet.
    for (let i = 0; i < 2; i++)
      await insertBundle(ledger.db, {
        id: `0190a000-0000-7000-8000-00000000000${i}`,
        createdBy: "a@example.com",
        createdAt: new Date().toISOString(),
        filter: {},
      });
    const post = () =>
      routes().create(
        new Request("http://x/api/v1/bundles", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer llr_x" },
          body: JSON.stringify({ filter: {} }),
        }),
        {},
      );
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await refused.json()).detail).toContain("2 bundles queued or building");
    // Nothing was recorded as created for the refused request.
    expect(await ledger.prisma.entry.count({ where: { action: "bundles.create" } })).toBe(0);

    who = auditor("b@example.com");
    expect((await post()).status).toBe(202);
    // The operator at the CLI is a user like any other here.
    who = systemPrincipal("ops@host");
    expect((await post()).status).toBe(202);
  });
});
