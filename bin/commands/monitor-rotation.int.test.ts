import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, parseSignerKey, shortKey, signNote, verifierKeyString } from "@/lib/core/index.ts";
import { StateDir } from "@/lib/monitor/state.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { bearerToken } from "@/lib/server/auth/bearer-secrets.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { createReadToken, principalFromReadToken } from "@/lib/server/auth/read-tokens.ts";
import { createUser } from "@/lib/server/auth/users.ts";
import type { Runtime } from "@/lib/server/runtime/runtime.ts";
import { tlogRoutes } from "@/lib/server/tlog/routes.ts";
import { event, freshLedger } from "@/test/support/stores.ts";

// The monitor (a separate process) follows a real key rotation: the log's tiles are served
// over HTTP from a real SQLite store by this process, `ledgerline signing-key rotate` (another
// process) rotates the key on that store, and the running log signs its next checkpoints with
// the new key. The monitor pinned to the first key accepts the second only through the
// rotation statement it finds in the entries; any other key is "key changed without a
// rotation statement" (exit 18). (Against `next start` with a witness: the stress suite insider.)

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "bin/ledgerline.mjs");
const dirs: string[] = [];

type Run = { status: number | null; stdout: string; stderr: string };

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: root, timeout: 120_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({
          status: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-monitor-rot-"));
  dirs.push(d);
  return d;
}

function normalized(n: number): NormalizedEvent[] {
  return Array.from({ length: n }, () => {
    const r = validateEvent(event());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
}

/** The key `signing-key rotate` retired, from <data dir>/retired-keys/ (where an insider finds it). */
function retiredSigner(dataDir: string) {
  const dir = path.join(dataDir, "retired-keys");
  return parseSignerKey(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), "utf8").trim());
}

type Log = { f: Awaited<ReturnType<typeof freshLedger>>; server: http.Server; url: string; token: string };

/** A real SQLite store whose tiles this process serves on 127.0.0.1 (forged: a checkpoint served instead). */
async function startLog(forged: () => string | null): Promise<Log> {
  const f = await freshLedger("sqlite");
  const ledger = f.ledger;
  const get = tlogRoutes({
    runtime: async () => ledger,
    principal: async (req) => {
      const t = bearerToken(req);
      return t ? principalFromReadToken(ledger, t) : null;
    },
  }).get;
  const server = http.createServer((req, res) => {
    const p = (req.url ?? "").replace(/^\/tlog\/?/, "");
    const note = forged();
    if (p === "checkpoint" && note !== null) return void res.writeHead(200).end(note);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    void get(new Request(`http://127.0.0.1${req.url}`, { headers }), {
      params: Promise.resolve({ path: p.split("/") }),
    }).then(async (r) => {
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const ops = systemPrincipal("ops@example.com");
  await createUser(ledger, ops, { email: "auditor@example.com", role: "auditor" });
  const token = (await createReadToken(ledger, ops, "auditor@example.com")).token;
  return { f, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tlog`, token };
}

describe("ledgerline monitor follows key rotation statements (separate process, real store)", () => {
  let f: Log["f"];
  let ledger: Runtime;
  let server: http.Server;
  let url = "";
  let token = "";
  let oldVkey = "";
  /** When set, served instead of the log's own checkpoint (an insider's note). */
  let forged: string | null = null;

  const grow = async (n: number) => {
    const r = await ledger.sequencer.append("spiffe://test/rotation", normalized(n));
    if (!r.ok) throw new Error("append conflicted");
    await ledger.sequencer.checkpoint();
  };
  const monitor = (state: string, extra: string[] = [], key = oldVkey) =>
    run(["monitor", "--once", "--url", url, "--key", key, "--state", state, ...extra]);

  beforeAll(async () => {
    ({ f, server, url, token } = await startLog(() => forged));
    ledger = f.ledger;
    await grow(300);
    oldVkey = (await ledger.signingKey()).verifierKey;
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await f?.cleanup();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("trusts the new key only through the statement, and remembers the chain", async () => {
    const following = tmp();
    const first = await monitor(following, ["--token", token]);
    expect(first.status, first.stdout + first.stderr).toBe(0);

    const rotated = await run(["signing-key", "rotate", "--json"], f.store.env);
    expect(rotated.status, rotated.stderr).toBe(0);
    const { current } = JSON.parse(rotated.stdout) as { current: { verifierKey: string } };
    expect(current.verifierKey).not.toBe(oldVkey);
    await grow(40); // the running log reloads the key file and signs with the new key
    expect((await ledger.signingKey()).verifierKey).toBe(current.verifierKey);

    const next = await monitor(following, ["--token", token]);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain(`log key rotated: now trusting ${shortKey(current.verifierKey)}`);
    const chain = new StateDir(following).load()!.state.keyChain!;
    expect(chain.map((k) => k.verifierKey)).toEqual([oldVkey, current.verifierKey]);
    expect(chain[1]!.why).toMatch(/^rotation statement at tree size \d+ signed by /);

    // The chain is kept: the next pass trusts the new key without looking again.
    await grow(10);
    const again = await monitor(following, ["--token", token]);
    expect(again.status, again.stdout).toBe(0);
    expect(again.stdout).not.toContain("log key rotated");

    // A new monitor pinned to the first key follows the statement from leaf 1.
    const fresh = await monitor(tmp(), ["--token", token]);
    expect(fresh.status, fresh.stdout).toBe(0);
    expect(fresh.stdout).toContain("log key rotated");

    // Without a read token it cannot see the statement: it says so, it does not trust the key.
    const blind = await monitor(tmp());
    expect(blind.status, blind.stdout).toBe(18);
    expect(blind.stdout).toMatch(/PROBLEM key-changed: key changed without a rotation statement: .*no read token/);
    // Pinned to the new key, it needs no statement.
    expect((await monitor(tmp(), [], current.verifierKey)).status).toBe(0);
  }, 240_000);

  it("names a key no statement chains to, and a retired key signing again (exit 18)", async () => {
    const state = tmp();
    expect((await monitor(state, ["--token", token])).status).toBe(0);
    const served = await (await fetch(`${url}/checkpoint`)).text();
    const text = served.slice(0, served.lastIndexOf("\n\n") + 1);
    const name = text.split("\n")[0]!;
    const insider = generateSigningKey(name);
    try {
      forged = signNote(text, [insider]);
      const r = await monitor(state, ["--token", token]);
      expect(r.status, r.stdout).toBe(18);
      expect(r.stdout).toContain(
        `PROBLEM key-changed: key changed without a rotation statement: the checkpoint is signed by ${shortKey(verifierKeyString(name, insider.publicKey))}`,
      );
      expect(r.stdout).toMatch(/none of the 1 rotation statement\(s\) in the entries it verified/);

      // The retired key (its file kept in retired-keys/) signs the current tree again.
      const retired = retiredSigner(f.store.config.dataDir);
      forged = signNote(text, [retired]);
      const back = await monitor(state, ["--token", token]);
      expect(back.status, back.stdout).toBe(18);
      expect(back.stdout).toMatch(/PROBLEM key-changed: .*a key this monitor saw retired by a rotation statement/);
    } finally {
      forged = null;
    }
    expect((await monitor(state, ["--token", token])).status).toBe(0);
  }, 120_000);
});
