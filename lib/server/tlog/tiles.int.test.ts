import { afterEach, describe, expect, it } from "vitest";
import {
  CompactRange,
  bytesEqual,
  consistencyProofFrom,
  hashLeaf,
  merkleRoot,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  toHex,
  verifyConsistency,
} from "@/lib/core/index.ts";
import {
  decodeEntryBundle,
  entryBundles,
  tileHashes,
  tilePath,
  tileRangeHasher,
  treeTiles,
  type Tile,
} from "@/lib/core/tlog/index.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger } from "@/test/support/stores.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { bearerToken } from "../auth/bearer-secrets.ts";
import type { Runtime as Ledger } from "../runtime/runtime.ts";
import { createReadToken, principalFromReadToken, revokeReadToken } from "../auth/read-tokens.ts";
import { createUser } from "../auth/users.ts";
import { EntryReadAudit, TLOG_ENTRIES_TARGET } from "./read-audit.ts";
import { tlogRoutes } from "./routes.ts";

// The tiles API read as an outside client would: only /tlog/checkpoint and /tlog/tile/…,
// the log recomputed from them alone and compared with the signed checkpoint.

const OPS = systemPrincipal("ops@example.com");

function normalized(n: number): NormalizedEvent[] {
  return Array.from({ length: n }, () => {
    const r = validateEvent(event());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
}

async function grow(ledger: Ledger, to: number): Promise<void> {
  let size = ledger.sequencer.size;
  while (size < to) {
    const n = Math.min(5000, to - size);
    const r = await ledger.sequencer.append("spiffe://test/tiles", normalized(n));
    if (!r.ok) throw new Error("append conflicted");
    size = r.treeSize;
  }
  await ledger.sequencer.checkpoint();
}

function client(ledger: Ledger, opts: { public?: boolean; audit?: EntryReadAudit } = {}) {
  const view = opts.public ? { ...ledger, config: { ...ledger.config, tilesPublic: true } } : ledger;
  const api = tlogRoutes(
    {
      runtime: async () => view,
      principal: async (req) => {
        const t = bearerToken(req);
        return t ? principalFromReadToken(ledger, t) : null;
      },
    },
    { audit: opts.audit },
  );
  return (path: string, token?: string) =>
    api.get(new Request(`http://x/tlog/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }), {
      params: Promise.resolve({ path: path.split("/") }),
    });
}

type Get = ReturnType<typeof client>;

async function bytesOf(get: Get, t: Tile, token?: string): Promise<Uint8Array> {
  const r = await get(tilePath(t), token);
  if (r.status !== 200) throw new Error(`${tilePath(t)}: ${r.status} ${await r.text()}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** Everything a monitor checks, through the tiles only. Returns the leaf hashes. */
async function readWholeLog(get: Get, verifierKey: string, token: string) {
  const res = await get("checkpoint");
  expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  const opened = openNote(await res.text(), [parseVerifierKey(verifierKey)]);
  if (!opened.ok) throw new Error(opened.reason);
  const cp = parseCheckpoint(opened.text);
  // 1. Every leaf from the level-0 tiles, folded into the root.
  const range = CompactRange.empty();
  const leaves: Uint8Array[] = [];
  for (const t of treeTiles(cp.size).filter((x) => x.level === 0)) {
    for (const h of tileHashes(await bytesOf(get, t), t.width)) {
      range.append(h);
      leaves.push(h);
    }
  }
  expect(toHex(range.root())).toBe(toHex(cp.rootHash));
  // 2. The same root through the higher-level tiles (what proofs use).
  const hasher = tileRangeHasher(cp.size, (t) => bytesOf(get, t));
  expect(toHex(await hasher(0, cp.size))).toBe(toHex(cp.rootHash));
  // 3. Every entry's canonical bytes hash to its leaf.
  for (const b of entryBundles(cp.size)) {
    const entries = decodeEntryBundle(await bytesOf(get, b, token), b.width);
    entries.forEach((e, i) => {
      const seq = b.index * 256 + i + 1;
      expect(bytesEqual(hashLeaf(e), leaves[seq - 1]!), `entry ${seq}`).toBe(true);
      expect(JSON.parse(new TextDecoder().decode(e)).seq).toBe(seq);
    });
  }
  return { cp, leaves, hasher };
}

describe.each(DIALECTS)("tiles API on %s", (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup() {
    const f = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "10000000" });
    cleanups.push(f.cleanup);
    const key = await f.ledger.signingKey();
    await createUser(f.ledger, OPS, { email: "auditor@example.com", role: "auditor" });
    const token = (await createReadToken(f.ledger, OPS, "auditor@example.com")).token;
    return { ...f, key, token };
  }

  it("serves a log across the 256 boundary: full tiles immutable, partial ones uncached, nothing beyond the checkpoint", async () => {
    const { ledger, key, token } = await setup();
    const audit = new EntryReadAudit();
    const get = client(ledger, { audit });
    expect((await get("checkpoint")).status).toBe(404);
    expect((await get("tile/0/000.p/1")).status).toBe(404);

    await grow(ledger, 300);
    // Meta-audit entries (users, tokens) are in the log too: read its actual size.
    const { cp, leaves } = await readWholeLog(get, key.verifierKey, token);
    expect(cp.size).toBeGreaterThanOrEqual(300);
    const width0 = cp.size % 256;

    const full = await get("tile/0/000");
    expect(full.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(full.headers.get("content-type")).toBe("application/octet-stream");
    const partial = await get(`tile/0/001.p/${width0}`);
    expect(partial.headers.get("cache-control")).toBe("no-store");
    expect((await get(`tile/1/000.p/1`)).status).toBe(200);
    // A prefix of a tile in the tree is served (a client may hold an older checkpoint) …
    const prefix = new Uint8Array(await (await get(`tile/0/001.p/${width0 - 1}`)).arrayBuffer());
    expect(toHex(prefix)).toBe(toHex(Buffer.concat(leaves.slice(256, cp.size - 1))));
    // … but never a hash beyond the latest checkpoint.
    for (const p of ["tile/0/001", `tile/0/001.p/${width0 + 1}`, "tile/0/002.p/1", "tile/1/000", "tile/2/000.p/1"]) {
      const r = await get(p, token);
      expect(r.status, p).toBe(404);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await get(`tile/entries/001.p/${width0 + 1}`, token)).status).toBe(404);
    const bundle = await get("tile/entries/000", token);
    expect(bundle.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(bundle.headers.get("vary")).toMatch(/Authorization/);

    // The bundle reads were meta-audited: one entry at once, the rest counted per minute.
    await audit.drain(ledger, (await principalFromReadToken(ledger, token))!);
    const rows = await ledger.db.all<{ attributes: string; requester_id: string }>(
      "SELECT attributes, requester_id FROM entries WHERE target_id = ? ORDER BY seq",
      [TLOG_ENTRIES_TARGET],
    );
    expect(rows.map((r) => r.requester_id)).toEqual(["auditor@example.com", "auditor@example.com"]);
    const counts = rows.map((r) => (JSON.parse(r.attributes) as { bundles: number }).bundles);
    expect(counts[0]).toBe(1);
    expect(counts[0]! + counts[1]!).toBe(entryBundles(cp.size).length + 1); // + the bundle read above
  });

  it("entry bundles need a read token unless LEDGERLINE_TILES_PUBLIC=1; hash tiles never do", async () => {
    const { ledger, token } = await setup();
    await grow(ledger, 20);
    const get = client(ledger);
    const size = parseCheckpoint((await (await get("checkpoint")).text()).split("\n\n")[0] + "\n").size;
    const path = `tile/entries/000.p/${size}`;
    const anonymous = await get(path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    expect(anonymous.headers.get("www-authenticate")).toMatch(/Bearer/);
    expect((await get(path, "llr_notatoken")).status).toBe(401);
    expect((await get(`tile/0/000.p/${size}`)).status).toBe(200);
    expect((await get(path, token)).status).toBe(200);
    const { id } = (await ledger.prisma.readToken.findFirst())!;
    await revokeReadToken(ledger, OPS, id);
    expect((await get(path, token)).status).toBe(401);
    const pub = client(ledger, { public: true });
    const open = await pub(path);
    expect(open.status).toBe(200);
    expect(open.headers.get("vary")).toBeNull();
    expect(decodeEntryBundle(new Uint8Array(await open.arrayBuffer())).length).toBe(size);
  });

  it("answers bad paths with 400 and unknown resources with 404, as problem+json", async () => {
    const { ledger } = await setup();
    await grow(ledger, 5);
    const get = client(ledger);
    for (const p of [
      "tile/0/5",
      "tile/0/x000/000",
      "tile/64/000",
      "tile/00/000",
      "tile/0/000.p/0",
      "tile/0/000.p/256",
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(((await r.json()) as { detail: string }).detail).toMatch(/Bad tile path/);
    }
    for (const p of ["", "checkpoints", "tile", "proofs/inclusion"]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(((await r.json()) as { detail: string }).detail).toMatch(/tiles API serves/);
    }
  });

  it("reads a log past 65,536 entries (level-2 tile) through the tiles alone and proves it consistent with an older checkpoint", async () => {
    const { ledger, key, token } = await setup();
    await grow(ledger, 1000);
    const get = client(ledger);
    const old = parseCheckpoint((await (await get("checkpoint")).text()).split("\n\n")[0] + "\n");
    await grow(ledger, 65_536 + 300);
    const { cp, leaves, hasher } = await readWholeLog(get, key.verifierKey, token);
    expect(cp.size).toBeGreaterThan(65_536);
    const tiles = treeTiles(cp.size);
    expect(tiles.filter((t) => t.level === 2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tiles.filter((t) => t.level === 1)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: Math.floor(cp.size / 256) - 256 },
    ]);
    // A level-1 hash is the root of the full level-0 tile under it; the level-2 hash the first 65,536 leaves.
    const l1 = tileHashes(await bytesOf(get, { level: 1, index: 0, width: 256 }), 256);
    expect(toHex(l1[255]!)).toBe(toHex(merkleRoot(leaves.slice(255 * 256, 256 * 256))));
    const l2 = await bytesOf(get, { level: 2, index: 0, width: 1 });
    expect(toHex(l2)).toBe(toHex(merkleRoot(leaves.slice(0, 65_536))));
    expect((await get("tile/1/000")).headers.get("cache-control")).toMatch(/immutable/);
    // A consistency proof built from the tiles verifies from the older signed root.
    const proof = await consistencyProofFrom(old.size, cp.size, hasher);
    expect(verifyConsistency(old.size, cp.size, old.rootHash, cp.rootHash, proof)).toBe(true);
  }, 300_000);

  it("answers 404 naming the gap when the store lost rows a signed tree needs", async () => {
    const { ledger, store } = await setup();
    await grow(ledger, 300);
    const attacker = await store.attacker();
    try {
      if (dialect === "sqlite") await attacker.exec("DROP TRIGGER entries_no_delete");
      else await attacker.exec("ALTER TABLE entries DISABLE TRIGGER USER");
      await attacker.exec("DELETE FROM entries WHERE seq = 10");
    } finally {
      await attacker.close();
    }
    const r = await client(ledger)("tile/0/000");
    expect(r.status).toBe(404);
    expect(((await r.json()) as { detail: string }).detail).toMatch(/entries 1\.\.256 are not all in the store/);
  });
});
