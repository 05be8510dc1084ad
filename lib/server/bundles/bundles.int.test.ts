import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateSigningKey, verifierKeyString } from "@/lib/core/note.ts";
import { readZip } from "@/lib/core/zip/read.ts";
import { verifyBundle } from "@/lib/core/bundle/verify.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { TOKEN_SCOPES } from "../auth/permissions.ts";
import type { Principal } from "../auth/principal.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { DIALECTS, event, freshLedger, openRuntime, testApi } from "@/test/support/stores.ts";
import { whenBundlesIdle } from "./queue.ts";
import { INTERRUPTED } from "./store.ts";

// Real bundles from real ledgers on both stores, checked by the real standard
// tools (openssl, sha256sum, unzip), by the real CLI, and by the core verifier.

const root = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(root, "bin/ledgerline.mjs");
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

const user = (role: "admin" | "auditor" | "analyst", email = `${role}@example.com`): Principal => ({
  kind: "user",
  userId: `u-${role}`,
  email,
  name: null,
  role,
  via: "token",
  // Every scope: these tests are about bundles; token-scopes.int.test.ts checks the scopes.
  scopes: [...TOKEN_SCOPES],
});

type Who = Principal | null;

function routesFor(ledger: Runtime, who: () => Who) {
  return testApi(ledger, async () => who()).bundles;
}

function post(body: unknown, headers: Record<string, string> = { authorization: "Bearer llr_test" }) {
  return new Request("http://ledgerline.test/api/v1/bundles", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const get = (p: string) => new Request(`http://ledgerline.test${p}`, { headers: { authorization: "Bearer llr_test" } });
const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function seed(ledger: Runtime, n: number, over: (i: number) => Record<string, unknown> = () => ({})) {
  const events = Array.from({ length: n }, (_, i) => {
    const v = validateEvent(
      event({
        target: { id: `db://cards/${i}`, service: i % 3 === 0 ? "payments" : "search", type: "db" },
        ...over(i),
      }),
    );
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.event;
  });
  for (let i = 0; i < events.length; i += 500) {
    const r = await ledger.sequencer.append("spiffe://test/src", events.slice(i, i + 500));
    if (!r.ok) throw new Error("append failed");
  }
}

async function createAndWait(ledger: Runtime, filter: unknown, who: Who = user("auditor")) {
  const routes = routesFor(ledger, () => who);
  const res = await routes.create(post({ filter }), {});
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect(res.headers.get("location")).toBe(`/api/v1/bundles/${id}`);
  await whenBundlesIdle(ledger);
  const status = await (await routes.get(get(`/api/v1/bundles/${id}`), params(id))).json();
  return { id, status, routes };
}

async function download(routes: ReturnType<typeof routesFor>, id: string) {
  const res = await routes.download(get(`/api/v1/bundles/${id}/download`), params(id));
  expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

type BundleKey = Awaited<ReturnType<Runtime["signingKey"]>>;

/** The bundle's files, unpacked by unzip (or lib/core's reader where unzip is missing). */
function unpack(bytes: Uint8Array, zipFile: string, out: string): string {
  if (has("unzip")) {
    const u = spawnSync("unzip", ["-q", zipFile, "-d", out], { encoding: "utf8" });
    expect(u.status, u.stderr).toBe(0);
  } else {
    const z = readZip(bytes);
    if (!z.ok) throw new Error(z.reason);
    fs.mkdirSync(out);
    for (const [name, data] of z.files) fs.writeFileSync(path.join(out, name), data);
  }
  expect(fs.readdirSync(out).sort()).toEqual(
    [
      "SHA256SUMS",
      "SHA256SUMS.sig",
      "VERIFY.txt",
      "checkpoint.txt",
      "events.csv",
      "events.jsonl",
      "manifest.json",
      "proofs.jsonl",
      "public-key.pem",
    ].sort(),
  );
  return out;
}

/** What VERIFY.txt tells a reader to run. */
const OPENSSL_VERIFY = [
  "pkeyutl",
  "-verify",
  "-pubin",
  "-inkey",
  "public-key.pem",
  "-rawin",
  "-in",
  "SHA256SUMS",
  "-sigfile",
  "SHA256SUMS.sig",
];

/** The standard tools, for real, on the unpacked files; then each fails on a changed copy. */
function checkWithStandardTools(out: string, key: BundleKey, want: number) {
  const ossl = spawnSync("openssl", OPENSSL_VERIFY, { cwd: out, encoding: "utf8" });
  expect(ossl.status, ossl.stderr + ossl.stdout).toBe(0);
  expect(ossl.stdout).toContain("Signature Verified Successfully");
  const sums = spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: out, encoding: "utf8" });
  expect(sums.status, sums.stdout + sums.stderr).toBe(0);
  expect(sums.stdout.trim().split("\n")).toHaveLength(7);
  const fp = spawnSync("sh", ["-c", "openssl pkey -pubin -in public-key.pem -outform DER | sha256sum"], {
    cwd: out,
    encoding: "utf8",
  });
  expect(fp.stdout.split(" ")[0]).toBe(key.fingerprint.replace("SHA256:", "").replaceAll(":", ""));
  expect(fs.readFileSync(path.join(out, "VERIFY.txt"), "utf8")).toContain(`openssl ${OPENSSL_VERIFY.join(" ")}`);
  const lines = fs.readFileSync(path.join(out, "events.jsonl"), "utf8").trim().split("\n");
  expect(lines).toHaveLength(want);
  expect(Object.keys(JSON.parse(lines[0]!))).toEqual(["seq", "leafHash", "entry"]);

  // The openssl check fails on a changed SHA256SUMS; sha256sum on a changed file.
  fs.appendFileSync(path.join(out, "events.csv"), "x");
  expect(spawnSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: out }).status).not.toBe(0);
  fs.appendFileSync(path.join(out, "SHA256SUMS"), "\n");
  expect(spawnSync("openssl", OPENSSL_VERIFY, { cwd: out }).status).not.toBe(0);
}

/** The real CLI: exit 0 verified (pinned), 3 consistent but unpinned, 1 on a tampered copy, 2 on bad usage. */
function checkCliVerdicts({
  zipFile,
  dir,
  bytes,
  key,
}: {
  zipFile: string;
  dir: string;
  bytes: Uint8Array;
  key: BundleKey;
}) {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [bin, "verify-bundle", ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
  const ok = cli([zipFile, "--key", key.verifierKey]);
  expect(ok.status, ok.stdout + ok.stderr).toBe(0);
  expect(ok.stdout).toContain("✔ 4");
  expect(ok.stdout).toContain("VERIFIED");
  fs.writeFileSync(path.join(dir, "key.pem"), key.pem);
  expect(cli([zipFile, "--key", path.join(dir, "key.pem")]).status).toBe(0);
  const unpinned = cli([zipFile]);
  expect(unpinned.status, unpinned.stdout + unpinned.stderr).toBe(3);
  expect(unpinned.stdout).toContain(key.fingerprint);
  expect(unpinned.stdout).toContain("CONSISTENT BUT UNPINNED");
  expect(unpinned.stdout).not.toContain("VERIFIED"); // never without a pinned key
  const json = JSON.parse(cli([zipFile, "--json"]).stdout) as { ok: boolean; verdict: string };
  expect(json).toMatchObject({ ok: false, verdict: "unpinned" });
  // Several pinned keys (current and retired): one of them signed it.
  const retired = generateSigningKey("retired.example", new Uint8Array(32).fill(5));
  const other = verifierKeyString(retired.name, retired.publicKey);
  expect(cli([zipFile, "--key", other, "--key", key.verifierKey]).status).toBe(0);
  const wrong = cli([zipFile, "--key", path.join(dir, "key.pem").replace("key.pem", "nope.pem")]);
  expect(wrong.status, wrong.stdout + wrong.stderr).toBe(1);
  const bad = bytes.slice();
  const at = Buffer.from(bad).indexOf("SHA256SUMS.sig") - 200;
  bad[at] = bad[at]! ^ 0xff;
  fs.writeFileSync(path.join(dir, "bad.zip"), bad);
  const failed = cli([path.join(dir, "bad.zip")]);
  expect(failed.status, failed.stdout).toBe(1);
  expect(failed.stdout).toContain("✘");
  expect(cli([]).status).toBe(2);
}

describe.each(DIALECTS)("evidence bundles on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  const tmpDirs: string[] = [];
  afterEach(async () => {
    await cleanup();
    cleanup = async () => {};
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("builds a bundle that openssl, sha256sum, unzip, the CLI and the core verifier all accept", async () => {
    const t = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "100000" });
    cleanup = t.cleanup;
    const { ledger } = t;
    await seed(ledger, 700);
    await ledger.sequencer.checkpoint(); // an older checkpoint…
    await seed(ledger, 50); // …that the newest matching entries are not covered by
    const { id, status, routes } = await createAndWait(ledger, { service: "payments" });
    expect(status).toMatchObject({
      id,
      status: "ready",
      createdBy: "auditor@example.com",
      filter: { service: "payments" },
    });
    const want = Number(
      (await ledger.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE target_service = 'payments'"))!.n,
    );
    expect(want).toBe(251); // 234 of the first 700, 17 of the 50 after the checkpoint
    expect(status.count).toBe(want);
    expect(status.treeSize).toBeGreaterThanOrEqual(751); // 750 events + the creation's audit entry
    expect(status.progress).toEqual({ done: want, total: want });

    const { res, bytes } = await download(routes, id);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="ledgerline-bundle-${id}.zip"`);
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.length).toBe(status.size);
    const key = await ledger.signingKey();

    const report = await verifyBundle(bytes, { key: key.verifierKey });
    expect(report.checks.filter((c) => c.status !== "pass" && c.id !== "witnesses")).toEqual([]);
    expect(report.manifest).toMatchObject({
      count: want,
      bundleId: id,
      keyId: key.keyIdHex,
      origin: ledger.config.origin,
    });
    expect(report.manifest!.lastSeq).toBeLessThanOrEqual(report.manifest!.checkpoint.treeSize);

    // The standard tools, for real, on the unpacked files.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bundle-"));
    tmpDirs.push(dir);
    const zipFile = path.join(dir, "bundle.zip");
    fs.writeFileSync(zipFile, bytes);
    const out = unpack(bytes, zipFile, path.join(dir, "bundle"));
    checkWithStandardTools(out, key, want);
    checkCliVerdicts({ zipFile, dir, bytes, key });

    // Creation and download are in the log, as the auditor.
    const audit = await ledger.db.all<{ action: string; requester_id: string; target_id: string }>(
      "SELECT action, requester_id, target_id FROM entries WHERE action LIKE 'bundles.%' ORDER BY seq",
    );
    expect(audit).toEqual([
      { action: "bundles.create", requester_id: "auditor@example.com", target_id: `ledgerline:bundles/${id}` },
      { action: "bundles.download", requester_id: "auditor@example.com", target_id: `ledgerline:bundles/${id}` },
    ]);
  });

  it("an empty selection is a valid bundle with count, firstSeq and lastSeq 0", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    await seed(t.ledger, 20);
    const { id, status, routes } = await createAndWait(t.ledger, { service: "nobody-here" });
    expect(status).toMatchObject({ status: "ready", count: 0 });
    const { bytes } = await download(routes, id);
    const r = await verifyBundle(bytes, { key: (await t.ledger.signingKey()).verifierKey });
    expect(r.ok).toBe(true);
    expect(r.manifest).toMatchObject({ count: 0, firstSeq: 0, lastSeq: 0 });
  });

  it("bundles follow the explorer's filter semantics, including q over attributes", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    await seed(t.ledger, 60, (i) => ({
      outcome: i % 4 === 0 ? "denied" : "success",
      attributes: { tag: i % 5 === 0 ? "Needle" : "hay", "=formula": "+1" },
    }));
    const filter = { outcome: ["denied"], q: "needle", from: "2026-01-01T00:00:00Z" };
    const { id, status, routes } = await createAndWait(t.ledger, filter);
    expect(status.status).toBe("ready");
    const want = await t.ledger.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM entries WHERE outcome = 'denied' AND attributes LIKE '%Needle%'",
    );
    expect(status.count).toBe(Number(want!.n));
    expect(status.count).toBeGreaterThan(0);
    const r = await verifyBundle((await download(routes, id)).bytes, {
      key: (await t.ledger.signingKey()).verifierKey,
    });
    expect(r.ok).toBe(true);
    expect(r.manifest!.filter).toEqual({ from: "2026-01-01T00:00:00.000Z", outcome: ["denied"], q: "needle" });
  });

  it("who may do what: analysts get 403, nobody gets 401, sessions need the same origin", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    await seed(t.ledger, 5);
    const { id } = await createAndWait(t.ledger, {});
    for (const [who, code] of [
      [user("analyst"), 403],
      [null, 401],
    ] as const) {
      const r = routesFor(t.ledger, () => who);
      expect((await r.create(post({ filter: {} }), {})).status).toBe(code);
      expect((await r.list(get("/api/v1/bundles"), {})).status).toBe(code);
      expect((await r.get(get(`/api/v1/bundles/${id}`), params(id))).status).toBe(code);
      expect((await r.download(get(`/api/v1/bundles/${id}/download`), params(id))).status).toBe(code);
    }
    const admin = routesFor(t.ledger, () => user("admin"));
    expect((await admin.download(get(`/api/v1/bundles/${id}/download`), params(id))).status).toBe(200);
    // A cookie session from another site: refused before anything is queued.
    const auditor = routesFor(t.ledger, () => ({ ...user("auditor"), via: "session" }) as Principal);
    const crossSite = await auditor.create(
      post({ filter: {} }, { origin: "https://evil.example", host: "ledgerline.test" }),
      {},
    );
    expect(crossSite.status).toBe(403);
    const sameSite = await auditor.create(
      post({ filter: {} }, { origin: "http://ledgerline.test", host: "ledgerline.test" }),
      {},
    );
    expect(sameSite.status).toBe(202);
    await whenBundlesIdle(t.ledger);
    const list = (await (await auditor.list(get("/api/v1/bundles"), {})).json()) as { bundles: Array<{ id: string }> };
    expect(list.bundles).toHaveLength(2);
    // Bad requests name the problem.
    const badFilter = await auditor.create(post({ filter: { outcome: ["maybe"] } }, { authorization: "Bearer x" }), {});
    expect(badFilter.status).toBe(400);
    expect((await badFilter.json()).errors[0].pointer).toBe("/filter/outcome");
    expect((await auditor.create(post({ filters: {} }, { authorization: "Bearer x" }), {})).status).toBe(400);
    expect((await auditor.create(post("{", { authorization: "Bearer x" }), {})).status).toBe(400);
    // Forgetting the filter is not a request for the whole log.
    const noFilter = await auditor.create(post({}, { authorization: "Bearer x" }), {});
    expect(noFilter.status).toBe(400);
    expect(((await noFilter.json()) as { detail: string }).detail).toContain('{"filter": {}} selects the whole log');
    expect((await auditor.get(get("/api/v1/bundles/nope"), params("nope"))).status).toBe(404);
    const notFound = "01900000-0000-7000-8000-000000000000";
    expect((await auditor.download(get(`/api/v1/bundles/${notFound}/download`), params(notFound))).status).toBe(404);
  });

  it("refuses to export an entry that no longer matches its leaf hash (tampered store), saying what to do", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    await seed(t.ledger, 30);
    const attacker = await t.store.attacker();
    try {
      const drop =
        dialect === "sqlite" ? ["DROP TRIGGER entries_no_update"] : ["ALTER TABLE entries DISABLE TRIGGER USER"];
      for (const sql of drop) await attacker.exec(sql);
      await attacker.exec("UPDATE entries SET outcome = 'denied' WHERE seq = 7");
    } finally {
      await attacker.close();
    }
    const { status } = await createAndWait(t.ledger, {});
    expect(status).toMatchObject({ status: "failed", count: null, downloadUrl: null });
    expect(status.error).toMatch(/entry seq 7 no longer matches its leaf hash.*run a full verification/);
    expect(fs.readdirSync(path.join(t.store.config.dataDir, "bundles"))).toEqual([]);
  });

  it("a bundle interrupted by a restart is failed with what to do; queued ones are built", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    await seed(t.ledger, 5);
    const now = new Date().toISOString();
    await t.ledger.db.writeTransaction(async (tx) => {
      await tx.run(
        "INSERT INTO bundles (id, status, created_by, created_at, filter) VALUES (?, 'building', 'a@example.com', ?, '{}')",
        ["01900000-0000-7000-8000-000000000001", now],
      );
      await tx.run(
        "INSERT INTO bundles (id, status, created_by, created_at, filter) VALUES (?, 'queued', 'a@example.com', ?, '{}')",
        ["01900000-0000-7000-8000-000000000002", now],
      );
    });
    // A new process: a new ledger object over the same store.
    const again = await openRuntime(t.store.config);
    try {
      const r = routesFor(again, () => user("auditor"));
      await r.list(get("/api/v1/bundles"), {});
      await whenBundlesIdle(again);
      const { bundles } = (await (await r.list(get("/api/v1/bundles"), {})).json()) as {
        bundles: Array<{ id: string; status: string; error: string | null }>;
      };
      const byId = Object.fromEntries(bundles.map((b) => [b.id, b]));
      expect(byId["01900000-0000-7000-8000-000000000001"]).toMatchObject({ status: "failed", error: INTERRUPTED });
      expect(byId["01900000-0000-7000-8000-000000000002"]).toMatchObject({ status: "ready" });
    } finally {
      await again.close();
    }
  });
});
