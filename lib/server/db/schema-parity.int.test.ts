import { afterEach, describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger } from "@/test/support/stores.ts";

// prisma/<dialect>/schema.prisma describes tables that the reviewed SQL
// migrations create. Reading and writing every model through Prisma on a
// migrated database proves the two agree (names, types, nullability).

describe.each(DIALECTS)("Prisma models match the %s migrations", (dialect) => {
  let cleanup: () => Promise<void>;
  afterEach(async () => cleanup());

  it("reads every model with every field", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const { ledger } = t;
    const r = validateEvent(event({ requester: { id: "spiffe://p/a", type: "job", ip: "::1" }, reason: "r" }));
    if (!r.ok) throw new Error("fixture");
    await ledger.sequencer.append(
      "spiffe://p/src",
      Array.from({ length: 256 }, () => r.event).map((e, i) => ({ ...e, id: `id-${i}` })),
    );
    await ledger.sequencer.checkpoint();

    const e = await ledger.prisma.entry.findFirstOrThrow({ where: { seq: 1n } });
    expect(e).toMatchObject({
      seq: 1n,
      eventId: "id-0",
      source: "spiffe://p/src",
      requesterType: "job",
      requesterIp: "::1",
      reason: "r",
    });
    expect(e.leafHash).toHaveLength(32);
    expect(JSON.parse(e.attributes!)).toEqual(r.event.attributes);
    const n = await ledger.prisma.merkleNode.findFirstOrThrow();
    expect(n).toMatchObject({ level: 8, index: 0n });
    const c = await ledger.prisma.checkpoint.findFirstOrThrow();
    expect(c.treeSize).toBe(256n);
    expect(c.note).toContain("\n256\n");
    const cs = await ledger.prisma.cosignature.create({
      data: {
        treeSize: 256n,
        witness: "w.example/1",
        keyId: "0a1b2c3d",
        cosignedAt: 1n,
        line: "— w x",
        receivedAt: "t",
      },
    });
    expect(cs).toMatchObject({ treeSize: 256n, keyId: "0a1b2c3d", cosignedAt: 1n });
    await expect(ledger.prisma.cosignature.deleteMany({})).rejects.toThrow();
    const k = await ledger.prisma.signingKey.findFirstOrThrow();
    expect(k.verifierKey).toBe((await ledger.signingKey()).verifierKey);
    expect(k.retiredAt).toBeNull();
    const ik = await ledger.prisma.ingestKey.create({
      data: { id: "abc", source: "s", secretHash: "h", createdAt: "2026-01-01T00:00:00.000Z" },
    });
    expect(ik).toMatchObject({ revokedAt: null, lastUsedAt: null, description: null });
    const b = await ledger.prisma.bundle.create({
      data: {
        id: "b1",
        status: "queued",
        createdBy: "a@example.com",
        createdAt: "2026-01-01T00:00:00.000Z",
        filter: "{}",
      },
    });
    expect(b).toMatchObject({
      progressDone: 0n,
      progressTotal: 0n,
      entryCount: null,
      treeSize: null,
      sizeBytes: null,
      sha256: null,
      error: null,
      finishedAt: null,
    });
    // Prisma writes are refused by the same guards.
    await expect(ledger.prisma.entry.update({ where: { seq: 1n }, data: { outcome: "denied" } })).rejects.toThrow();
    await expect(ledger.prisma.checkpoint.deleteMany({})).rejects.toThrow();
    expect(await ledger.prisma.entry.count()).toBe(256);
    if (dialect === "sqlite") {
      // Prisma's own connection writes ingest keys: it must fsync every commit too.
      const [p] = await ledger.prisma.$queryRawUnsafe<Array<{ synchronous: bigint }>>("PRAGMA synchronous");
      expect(Number(p!.synchronous)).toBe(2);
    }
  });
});
