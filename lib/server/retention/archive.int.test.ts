import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseArchiveName, receiptsFileName } from "@/lib/core/archive.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger, type Dialect } from "@/test/support/stores.ts";
import { systemPrincipal, type Principal } from "../auth/principal.ts";
import { verifyLog } from "../ledger/verify.ts";
import { entryAt, ownEntriesWithAction } from "../ledger/store/entries.ts";
import { archiveMonth } from "./archive.ts";
import { listArchiveFiles, searchArchive } from "./archive-search.ts";
import { setRetentionPolicy } from "./policies.ts";
import { runPrune } from "./prune.ts";
import { PRUNE_RECEIPT_ACTION, receiptOf } from "./receipt.ts";
import { listPolicies } from "./store.ts";

// Issue 18: archive before pruning. Monthly signed bundles are written (and fsynced) before
// any body goes, each prune receipt names its file and SHA-256, and `ledgerline archive verify`
// — a separate process with no store — checks them offline and catches a changed byte.

const admin = systemPrincipal("root@test");
const analyst: Principal = { kind: "user", via: "session", userId: "u1", email: "a@test", name: null, role: "analyst" };
const bin = path.resolve(import.meta.dirname, "../../../bin/ledgerline.mjs");

const valid = (over: Record<string, unknown>) => {
  const r = validateEvent(event(over));
  if (!r.ok) throw new Error("bad fixture");
  return r.event;
};
const ev = (month: number, i: number) =>
  valid({ timestamp: new Date(Date.UTC(2023, month, 1, 0, 0, i)).toISOString() });

/** 60 entries claimed in January 2023, 40 in February, 10 now; a 400-day default policy that archives. */
async function setup(dialect: Dialect, archiveDir: string) {
  const env = await freshLedger(dialect, {
    LEDGERLINE_ORIGIN: "test.example/archive",
    LEDGERLINE_CHECKPOINT_EVERY: "1000000",
    LEDGERLINE_ARCHIVE_DIR: archiveDir,
  });
  const l = env.ledger;
  await l.sequencer.append("spiffe://test/a", [
    ...Array.from({ length: 60 }, (_, i) => ev(0, i)),
    ...Array.from({ length: 40 }, (_, i) => ev(1, i)),
    ...Array.from({ length: 10 }, () => valid({})),
  ]);
  await setRetentionPolicy(l, admin, "default", { days: 400, archive: true });
  return env;
}

const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, "archive", ...args], {
    env: { ...process.env, NODE_OPTIONS: "" },
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const sha256 = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");

/** The explorer's archive search: verified first, the explorer's filter, pages by seq, receipt links. */
async function searchesReadOnly(l: Parameters<typeof listArchiveFiles>[0], jan: string, firstReceipt: number) {
  expect((await listArchiveFiles(l, admin)).map((f) => [f.month, f.receipts])).toEqual([
    ["2023-01", true],
    ["2023-02", true],
  ]);
  const page = await searchArchive(l, admin, { file: jan, filter: {}, limit: 20 });
  expect(page.verified).toMatchObject({ ok: true });
  expect(page.items.map((x) => x.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(page.items[0]).toMatchObject({ receiptSeq: firstReceipt });
  const next = await searchArchive(l, admin, { file: jan, filter: { seqTo: 45 }, after: page.nextAfter!, limit: 20 });
  expect(next.items.map((x) => x.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 21).slice(0, 20));
  const none = await searchArchive(l, admin, { file: jan, filter: { outcome: ["denied"], seqFrom: 1000 } });
  expect(none).toMatchObject({ items: [], nextAfter: null });
  await expect(searchArchive(l, analyst, { file: jan, filter: {} })).rejects.toThrow();
  await expect(searchArchive(l, admin, { file: "../ledgerline.db", filter: {} })).rejects.toThrow(/No archive file/);
}

describe.each(DIALECTS)("archive before pruning on %s", (dialect) => {
  let env: Awaited<ReturnType<typeof setup>> | undefined;
  let dir = "";
  const start = async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-archive-"));
    env = await setup(dialect, dir);
    return env.ledger;
  };
  const key = async () => (await env!.ledger.signingKey()).verifierKey;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes one signed bundle per month first; receipts name it; archive verify checks it offline", async () => {
    const l = await start();
    expect((await listPolicies(l.db))[0]).toMatchObject({ name: "default", archive: true });
    const r = await runPrune(l, admin, { batch: 25 });
    expect(r.pruned).toBe(100);
    expect(r.archived.map((f) => parseArchiveName(f)?.month)).toEqual(["2023-01", "2023-02"]);
    for (const f of r.archived) expect(fs.existsSync(path.join(dir, receiptsFileName(f)))).toBe(true);
    const receipts = (await ownEntriesWithAction(l.db, PRUNE_RECEIPT_ACTION)).map((row) => receiptOf(row)!);
    // January: 25 + 25 + 10; February: 25 + 15 — a receipt never spans two months' files.
    expect(receipts.map((x) => [x.archiveFile, x.count])).toEqual([
      [r.archived[0], 25],
      [r.archived[0], 25],
      [r.archived[0], 10],
      [r.archived[1], 25],
      [r.archived[1], 15],
    ]);
    for (const x of receipts) expect(x.archiveSha256).toBe(sha256(path.join(dir, x.archiveFile!)));
    const vkey = await key();
    expect(await verifyLog(l.db, { origin: "test.example/archive", verifiers: [await l.signingKey()] })).toMatchObject({
      ok: true,
    });

    const ok = cli(["verify", dir, "--key", vkey]);
    expect(ok.out).toContain("2 archive file(s): 0 failed, 0 unpinned");
    expect(ok.out).toMatch(/receipt seq \d+ \(policy default\): 25 entries, sha256 matches/);
    expect(ok.code).toBe(0);
    expect(cli(["verify", dir]).code).toBe(3);
    const list = cli(["list", dir]);
    expect(list.out).toContain("2023-01  default");
    expect(list.code).toBe(0);
    await searchesReadOnly(l, r.archived[0]!, receipts[0]!.seq);
  }, 180_000);

  it("a changed archive file or a missing receipts bundle is reported, and prune writes the bundle again", async () => {
    const l = await start();
    const r = await runPrune(l, admin, { batch: 1000 });
    const [jan, feb] = r.archived.map((f) => path.join(dir, f));
    fs.rmSync(path.join(dir, receiptsFileName(path.basename(feb!))));
    const bytes = fs.readFileSync(jan!);
    bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0x01;
    fs.writeFileSync(jan!, bytes);
    const bad = cli(["verify", dir, "--key", await key()]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(new RegExp(`${path.basename(jan!)}: FAILED\\n  ✘ archive bundle`));
    expect(bad.out).toContain(`${path.basename(feb!)}: UNREFERENCED`);
    const refused = await searchArchive(l, admin, { file: path.basename(jan!), filter: {} });
    expect(refused).toMatchObject({ verified: { ok: false }, items: [] });

    // The next prune finds February's receipts in the log and writes their bundle.
    await runPrune(l, admin);
    expect(fs.existsSync(path.join(dir, receiptsFileName(path.basename(feb!))))).toBe(true);
    const again = cli(["verify", dir, "--key", await key()]);
    expect(again.out).toContain(`${path.basename(feb!)}: VERIFIED`);
    expect(again.code).toBe(1);
  }, 180_000);

  it("a crash after the archive, before its receipt, prunes nothing; the next run archives again and prunes", async () => {
    const l = await start();
    const pol = (await listPolicies(l.db))[0]!;
    const cutoff = new Date(Date.now() - 400 * 86_400_000).toISOString();
    const early = await archiveMonth(l, admin, pol, "2023-01", cutoff, () => {});
    expect((await entryAt(l.db, 1))?.pruned_by).toBeNull();
    const r = await runPrune(l, admin);
    expect(r.pruned).toBe(100);
    // No receipt was appended in between, so the tree size (the name) is the same: the file was replaced.
    expect(r.archived[0]).toBe(early.file);
    expect(fs.readdirSync(dir).sort()).toEqual([...r.archived, ...r.archived.map(receiptsFileName)].sort());
    expect(cli(["verify", dir, "--key", await key()]).code).toBe(0);
  }, 180_000);

  it("when the archive cannot be written nothing is pruned, and the error says what to do", async () => {
    const l = await start();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.writeFileSync(dir, "not a directory");
    await expect(runPrune(l, admin)).rejects.toThrow(
      /Nothing of it was pruned.*LEDGERLINE_ARCHIVE_DIR|exists, is writable/,
    );
    expect(await ownEntriesWithAction(l.db, PRUNE_RECEIPT_ACTION)).toEqual([]);
    expect((await entryAt(l.db, 1))?.pruned_by).toBeNull();
  }, 120_000);
});
