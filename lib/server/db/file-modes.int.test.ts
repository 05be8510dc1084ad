import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import { openLedger } from "../ledger/ledger.ts";
import { event } from "@/test/support/stores.ts";
import { validateEvent } from "@/lib/schemas/event.ts";

// Security regression (issue 13 item 9, unsafe defaults): the SQLite database and its
// WAL and SHM files were created with the process umask (0644 under the usual 022): any
// local user could read every entry, user and key hash. They are now created 0600 and the
// data directory 0700 — on a fresh start, and for the files Prisma's own connection opens.

const mode = (p: string) => fs.statSync(p).mode & 0o777;
let tmp: string;
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("SQLite file modes", () => {
  it("a fresh start creates the data dir 0700 and the database, WAL and SHM files 0600", async () => {
    const old = process.umask(0o022);
    try {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-modes-"));
      const dataDir = path.join(tmp, "fresh", "data");
      const ledger = await openLedger(loadConfig({ LEDGERLINE_DATA_DIR: dataDir, LEDGERLINE_DEMO: "off" }));
      try {
        // Writes through Prisma's connection and through the sequencer's, so both have opened the files.
        await createIngestKey(ledger, systemPrincipal("modes@localhost"), "spiffe://modes.example/a");
        const v = validateEvent(event());
        if (!v.ok) throw new Error("bad fixture");
        await ledger.sequencer.append("spiffe://modes.example/a", [v.event]);
        await ledger.sequencer.checkpoint();
        const files = fs.readdirSync(dataDir);
        expect(files).toEqual(expect.arrayContaining(["ledgerline.db", "ledgerline.db-wal", "ledgerline.db-shm"]));
        expect(mode(dataDir)).toBe(0o700);
        for (const f of files)
          expect([f, mode(path.join(dataDir, f))]).toEqual([
            f,
            fs.statSync(path.join(dataDir, f)).isDirectory() ? 0o700 : 0o600,
          ]);
      } finally {
        await ledger.close();
      }
    } finally {
      process.umask(old);
    }
  });

  it("an existing database readable by others is tightened to 0600 at start", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-modes-"));
    const config = loadConfig({ LEDGERLINE_DATA_DIR: tmp, LEDGERLINE_DEMO: "off" });
    await (await openLedger(config)).close();
    const db = path.join(tmp, "ledgerline.db");
    fs.chmodSync(db, 0o644);
    const logs: string[] = [];
    const ledger = await openLedger(config, { log: (m) => logs.push(m) });
    await ledger.close();
    expect(mode(db)).toBe(0o600);
    expect(logs.join("\n")).toContain("0644 → 0600");
  });
});
