import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  entryLeafHash,
  fromBase64,
  merkleRoot,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from "@/lib/core/index.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger, freshStore, testApi } from "@/test/support/stores.ts";
import { plannedWriteCounts } from "../db/driver.ts";
import { rowToEntry, type EntryRow } from "./entry.ts";
import { openLedger, type Ledger } from "./ledger.ts";

// The single sequencer under concurrency, checkpoints, and the proof routes,
// each checked against an independent recomputation from the stored rows.

function normalized(over: Record<string, unknown> = {}): NormalizedEvent {
  const r = validateEvent(event(over));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.event;
}

async function recomputedRoot(ledger: Ledger, size?: number): Promise<{ root: Uint8Array; leaves: Uint8Array[] }> {
  const rows = await ledger.db.all<EntryRow>("SELECT * FROM entries ORDER BY seq");
  const leaves = rows.slice(0, size ?? rows.length).map((r) => entryLeafHash(rowToEntry(r)));
  return { root: merkleRoot(leaves), leaves };
}

describe.each(DIALECTS)("sequencer on %s", (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it("20 concurrent batch writers (two ledger instances) leave a gapless log whose root matches a recomputation", async () => {
    const { ledger, store, cleanup } = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "100000" });
    cleanups.push(cleanup);
    // A second instance on the same store, as a second server process would be.
    const second = await openLedger(store.config);
    cleanups.push(() => second.close());
    const writers = Array.from({ length: 20 }, (_, w) =>
      (async () => {
        const l = w % 2 ? second : ledger;
        const acked: number[] = [];
        for (let b = 0; b < 5; b++) {
          const r = await l.sequencer.append(
            `spiffe://test/writer-${w}`,
            Array.from({ length: 23 }, () => normalized()),
          );
          if (!r.ok) throw new Error("unexpected conflict");
          acked.push(...r.items.map((i) => i.seq));
        }
        return acked;
      })(),
    );
    const acked = (await Promise.all(writers)).flat().sort((a, b) => a - b);
    const total = 20 * 5 * 23;
    expect(acked).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const seqs = (await ledger.db.all<{ seq: number }>("SELECT seq FROM entries ORDER BY seq")).map((r) =>
      Number(r.seq),
    );
    expect(seqs).toEqual(acked);
    if (dialect === "sqlite") {
      // Group commits ran on each instance's writer thread; a plan the other instance made
      // stale (its head read changed) was planned again in a transaction, never committed.
      const [a, b] = [plannedWriteCounts(ledger.db)!, plannedWriteCounts(second.db)!];
      expect(a.threaded).toBeGreaterThan(0);
      expect(b.threaded).toBeGreaterThan(0);
      expect(a.again + b.again).toBeGreaterThan(0);
    }

    // Each instance's signed checkpoint matches the recomputed root.
    const cp = await second.sequencer.checkpoint();
    expect(cp!.treeSize).toBe(total);
    const { root } = await recomputedRoot(ledger);
    expect(Buffer.from(cp!.rootHash).equals(Buffer.from(root))).toBe(true);
    // The stale instance resyncs from the store before it appends again.
    const r = await ledger.sequencer.append("spiffe://test/late", [normalized()]);
    expect(r.ok && r.items[0]!.seq).toBe(total + 1);
    const cp2 = await ledger.sequencer.checkpoint();
    expect(Buffer.from(cp2!.rootHash).equals(Buffer.from((await recomputedRoot(ledger)).root))).toBe(true);
  });

  it("requests arriving while a group commits: each acked seq stored once, every signed root recomputes (SQLite: planned on top of the group ahead)", async () => {
    const { ledger, store, cleanup } = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "500" });
    cleanups.push(cleanup);
    await ledger.sequencer.checkpoint(); // loads the key: groups then sign as they cross every 500 entries
    const appends: Array<Promise<number[]>> = [];
    const send = (i: number, n: number) =>
      appends.push(
        ledger.sequencer
          .append(
            `spiffe://test/w${i % 5}`,
            Array.from({ length: n }, (_, j) => normalized({ id: `e-${i}-${j}` })),
          )
          .then((r) => (r.ok ? r.items.map((it) => it.seq) : [])),
      );
    const tick = () => new Promise((r) => setTimeout(r, 1));
    // SQLite: another connection holds the write lock, so the first group cannot commit while
    // 1,500 more events arrive; the next group is then planned on top of it (sequencer.ts needs
    // 1,000 waiting, ON_TOP_MIN_EVENTS), and both commit once the lock is let go.
    const other = dialect === "sqlite" ? new Database((store.config.database as { file: string }).file) : null;
    other?.exec("BEGIN IMMEDIATE");
    send(0, 50);
    await tick(); // the first group is taken alone
    for (let i = 1; i <= 10; i++) send(i, 150);
    await tick();
    other?.exec("COMMIT");
    other?.close();
    // Then large requests arriving faster than groups commit.
    for (let i = 11; i < 40; i++) {
      send(i, 150 + (i % 7) * 20);
      await tick();
    }
    const acked = (await Promise.all(appends)).flat().sort((a, b) => a - b);
    expect(acked).toEqual(Array.from({ length: acked.length }, (_, i) => i + 1));
    const rows = await ledger.db.all<{ seq: number }>("SELECT seq FROM entries ORDER BY seq");
    expect(rows.map((r) => Number(r.seq))).toEqual(acked);
    if (dialect === "sqlite") expect(ledger.sequencer.stats.onTop).toBeGreaterThan(0);
    else expect(ledger.sequencer.stats.onTop).toBe(0);

    // Every checkpoint signed in a group (many of them in groups planned on top of another)
    // has the root of the stored entries up to its size, and each is consistent with the next.
    const { leaves } = await recomputedRoot(ledger);
    const cps = await ledger.db.all<{ tree_size: number; root_hash: Uint8Array }>(
      "SELECT tree_size, root_hash FROM checkpoints ORDER BY tree_size",
    );
    expect(cps.length).toBeGreaterThan(1);
    for (const c of cps) {
      const size = Number(c.tree_size);
      expect(Buffer.from(c.root_hash).equals(Buffer.from(merkleRoot(leaves.slice(0, size))))).toBe(true);
    }
  });

  it("signs a checkpoint every N entries; notes verify with the published key; successive ones are consistent", async () => {
    const { ledger, cleanup } = await freshLedger(dialect, {
      LEDGERLINE_CHECKPOINT_EVERY: "50",
      LEDGERLINE_ORIGIN: "test.example/log",
    });
    cleanups.push(cleanup);
    const routes = testApi(ledger);
    expect((await routes.checkpoint.get(new Request("http://x/api/v1/checkpoint"), {})).status).toBe(404);

    for (let i = 0; i < 6; i++) {
      await ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: 30 }, () => normalized()),
      );
      await ledger.sequencer.checkpoint(); // settles the background run the append started, if any
    }
    const sizes = (await ledger.prisma.checkpoint.findMany({ orderBy: { treeSize: "asc" } })).map((c) =>
      Number(c.treeSize),
    );
    expect(sizes.at(-1)).toBe(180);
    expect(sizes.length).toBeGreaterThanOrEqual(3);

    const keys = await (await routes.keys.get(new Request("http://x/api/v1/keys"), {})).json();
    expect(keys.keys).toHaveLength(1);
    const vk = parseVerifierKey(keys.keys[0].verifierKey);
    expect(keys.keys[0].publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);

    const res = await routes.checkpoint.get(new Request("http://x/api/v1/checkpoint"), {});
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const note = await res.text();
    const opened = openNote(note, [{ name: vk.name, publicKey: vk.publicKey }]);
    expect(opened.ok).toBe(true);
    const cp = parseCheckpoint(opened.ok ? opened.text : "");
    expect(cp.origin).toBe("test.example/log");
    expect(cp.size).toBe(180);
    expect(Buffer.from(cp.rootHash).equals(Buffer.from((await recomputedRoot(ledger)).root))).toBe(true);
    // A different key does not verify it.
    expect(openNote(note, [{ name: vk.name, publicKey: new Uint8Array(32).fill(7) }]).ok).toBe(false);

    // Every stored checkpoint is consistent with the next, by the consistency route.
    const all = await ledger.prisma.checkpoint.findMany({ orderBy: { treeSize: "asc" } });
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!];
      const r = await routes.proofs.consistency(
        new Request(`http://x/api/v1/proofs/consistency?from=${a.treeSize}&to=${b.treeSize}`),
        {},
      );
      expect(r.status).toBe(200);
      const p = await r.json();
      expect(
        verifyConsistency(
          Number(a.treeSize),
          Number(b.treeSize),
          new Uint8Array(a.rootHash),
          new Uint8Array(b.rootHash),
          p.path.map(fromBase64),
        ),
      ).toBe(true);
    }
    // Nothing new: no new checkpoint.
    expect(await ledger.sequencer.checkpoint()).toBeNull();
  });

  it("proves consistency from the store unless the last checkpoint is its own, grown in memory: a forged last row still stops signing", async () => {
    const { ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    cleanups.push(cleanup);
    const add = (n: number) =>
      ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: n }, () => normalized()),
      );
    await add(10);
    expect((await ledger.sequencer.checkpoint())?.treeSize).toBe(10);
    await add(10);
    expect((await ledger.sequencer.checkpoint())?.treeSize).toBe(20); // grown from its own: no store reads
    // An insider inserts a later checkpoint row with another root (append-only tables accept inserts).
    const forged = await ledger.db.get<{ note: string }>("SELECT note FROM checkpoints WHERE tree_size = 20");
    await ledger.db.writeTransaction((tx) =>
      tx.run(
        "INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) SELECT 25, ?, ?, key_id, created_at FROM checkpoints WHERE tree_size = 20",
        [new Uint8Array(32).fill(9), forged!.note],
      ),
    );
    await add(10);
    await expect(ledger.sequencer.checkpoint()).rejects.toThrow(
      /not consistent with checkpoint 25: refusing to sign a fork/,
    );
    const sizes = await ledger.db.all<{ s: number }>("SELECT tree_size AS s FROM checkpoints ORDER BY tree_size");
    expect(sizes.map((r) => Number(r.s))).toEqual([10, 20, 25]);
    // The same from a fresh process (its tree reloaded from the store): still refused.
    const again = await openLedger(ledger.config);
    try {
      await expect(again.sequencer.checkpoint()).rejects.toThrow(/refusing to sign a fork/);
    } finally {
      await again.close();
    }
  });

  it("inclusion and consistency proofs from the routes verify against recomputed roots, across stored subtree levels", async () => {
    const { ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "100000" });
    cleanups.push(cleanup);
    const routes = testApi(ledger);
    // 700 entries: crosses two level-8 subtrees (256 leaves each) and a ragged right edge.
    for (let i = 0; i < 7; i++)
      await ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: 100 }, () => normalized()),
      );
    await ledger.sequencer.checkpoint();
    const nodes = await ledger.prisma.merkleNode.count();
    expect(nodes).toBe(2);
    const { leaves } = await recomputedRoot(ledger);

    for (const [seq, size] of [
      [1, 700],
      [256, 700],
      [257, 700],
      [700, 700],
      [513, 600],
      [1, 1],
      [300, 513],
    ] as const) {
      const r = await routes.proofs.inclusion(
        new Request(`http://x/api/v1/proofs/inclusion?seq=${seq}&treeSize=${size}`),
        {},
      );
      expect(r.status).toBe(200);
      const p = await r.json();
      expect(p).toMatchObject({ leafIndex: seq - 1, treeSize: size });
      const root = merkleRoot(leaves.slice(0, size));
      expect(verifyInclusion(seq - 1, size, fromBase64(p.leafHash), p.path.map(fromBase64), root)).toBe(true);
      expect(verifyInclusion(seq - 1, size, leaves[seq % size]!, p.path.map(fromBase64), root)).toBe(size === 1);
    }
    // treeSize defaults to the latest checkpoint.
    const d = await (await routes.proofs.inclusion(new Request("http://x/api/v1/proofs/inclusion?seq=10"), {})).json();
    expect(d.treeSize).toBe(700);

    for (const [from, to] of [
      [1, 700],
      [255, 256],
      [256, 700],
      [300, 513],
      [699, 700],
      [700, 700],
    ] as const) {
      const p = await (
        await routes.proofs.consistency(new Request(`http://x/api/v1/proofs/consistency?from=${from}&to=${to}`), {})
      ).json();
      expect(
        verifyConsistency(
          from,
          to,
          merkleRoot(leaves.slice(0, from)),
          merkleRoot(leaves.slice(0, to)),
          p.path.map(fromBase64),
        ),
      ).toBe(true);
    }

    for (const q of ["seq=0", "seq=abc", "seq=701&treeSize=701", "seq=5&treeSize=3", "", "seq=1e3", "seq=-1"]) {
      const r = await routes.proofs.inclusion(new Request(`http://x/api/v1/proofs/inclusion?${q}`), {});
      expect(r.status, q).toBe(400);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
    }
    for (const q of ["from=0&to=5", "from=9&to=5", "from=1&to=999", "to=5"]) {
      expect(
        (await routes.proofs.consistency(new Request(`http://x/api/v1/proofs/consistency?${q}`), {})).status,
        q,
      ).toBe(400);
    }
  });

  it("an append crossing the checkpoint threshold in a process without a loaded key neither deadlocks nor signs", async () => {
    // The CLI's meta-audit appends: the key is loaded (and registered, in its own
    // transaction) only by commands that sign; the server checkpoints the rest.
    const { ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1" });
    cleanups.push(cleanup);
    const r = await ledger.sequencer.append("spiffe://test/a", [normalized(), normalized()]);
    expect(r.ok).toBe(true);
    expect(await ledger.prisma.checkpoint.count()).toBe(0);
    await ledger.signingKey();
    await ledger.sequencer.append("spiffe://test/a", [normalized()]);
    expect((await ledger.prisma.checkpoint.findFirstOrThrow()).treeSize).toBe(3n);
  });

  it("restarts from the stored tree without rescanning, and continues the same log", async () => {
    const store = await freshStore(dialect);
    cleanups.push(() => store.cleanup());
    const a = await openLedger(store.config);
    await a.sequencer.append(
      "spiffe://test/a",
      Array.from({ length: 300 }, () => normalized()),
    );
    const cp1 = await a.sequencer.checkpoint();
    await a.close();
    const b = await openLedger(store.config);
    cleanups.push(() => b.close());
    await b.sequencer.append(
      "spiffe://test/a",
      Array.from({ length: 5 }, () => normalized()),
    );
    const cp2 = await b.sequencer.checkpoint();
    expect(cp2!.treeSize).toBe(305);
    expect((await b.signingKey()).verifierKey).toBe((await a.signingKey()).verifierKey);
    const { leaves } = await recomputedRoot(b);
    expect(Buffer.from(cp1!.rootHash).equals(Buffer.from(merkleRoot(leaves.slice(0, 300))))).toBe(true);
    expect(Buffer.from(cp2!.rootHash).equals(Buffer.from(merkleRoot(leaves)))).toBe(true);
  });

  it("group commit: 64 concurrent single-event appends share a few transactions; a conflicting request fails alone, the rest commit", async () => {
    const { ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "100000" });
    cleanups.push(cleanup);
    const stored = normalized({ id: "dup-1" });
    expect((await ledger.sequencer.append("spiffe://test/a", [stored])).ok).toBe(true);
    const before = { ...ledger.sequencer.stats };
    const sources = ["spiffe://test/a", "spiffe://test/b"];
    const requests = Array.from({ length: 64 }, (_, i) => {
      const source = sources[i % 2]!;
      // #5 repeats a stored id with other content (conflict); #6 repeats it unchanged
      // (duplicate); #10 and #12 send one new id twice in one group with different content.
      if (i === 5) return { source: sources[0]!, events: [{ ...stored, action: "changed" }] };
      if (i === 6) return { source: sources[0]!, events: [stored] };
      if (i === 10 || i === 12) return { source, events: [normalized({ id: "twice", action: `v${i}` })] };
      return { source, events: [normalized({ id: `e-${i}` })] };
    });
    const results = await Promise.all(requests.map((r) => ledger.sequencer.append(r.source, r.events)));
    const groups = ledger.sequencer.stats.groups - before.groups;
    expect(ledger.sequencer.stats.requests - before.requests).toBe(64);
    // Arrived in one turn of the event loop: far fewer commits than requests.
    expect(groups).toBeLessThanOrEqual(4);
    expect(results[5]).toMatchObject({ ok: false, conflicts: [{ index: 0, id: "dup-1", seq: 1 }] });
    expect(results[6]).toMatchObject({ ok: true, items: [{ status: "duplicate", id: "dup-1", seq: 1 }] });
    expect(results[10]!.ok).toBe(true);
    expect(results[12]).toMatchObject({ ok: false, conflicts: [{ id: "twice" }] });
    const accepted = results.flatMap((r) => (r.ok ? r.items.filter((i) => i.status === "accepted") : []));
    expect(accepted).toHaveLength(61);
    // Gapless, each acknowledged seq stored once with its id, and the root matches a recomputation.
    const rows = await ledger.db.all<EntryRow>("SELECT * FROM entries ORDER BY seq");
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 62 }, (_, i) => i + 1));
    for (const a of accepted) expect(rows[a.seq - 1]!.event_id).toBe(a.id);
    const cp = await ledger.sequencer.checkpoint();
    expect(cp?.treeSize).toBe(62);
    expect(cp!.rootHash).toEqual((await recomputedRoot(ledger)).root);
  });
});
