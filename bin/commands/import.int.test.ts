import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshLedger, event, testApi } from "@/test/support/stores.ts";
import { startServer, type RunningServer } from "@/test/fixtures/http-server.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { createIngestKey } from "@/lib/server/ingest/ingest-keys.ts";
import type { Runtime } from "@/lib/server/runtime/runtime.ts";

// The real `node bin/ledgerline.mjs import …` against a running HTTP server on a real store:
// an interrupted import resumes where it stopped, rejected lines land in the rejects file
// with the server's reasons, and no run ever duplicates an entry.

const root = path.resolve(import.meta.dirname, "../..");
const SOURCE = "spiffe://test.example/ns/legacy/sa/backfill";

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "bin/ledgerline.mjs"), ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("ledgerline import", () => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let key: string;
  let dir: string;
  let file: string;
  let server: RunningServer | undefined;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger("sqlite"));
    ({ key } = await createIngestKey(ledger, systemPrincipal("import-test@localhost"), SOURCE));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-import-"));
    file = path.join(dir, "access-2025.ndjson");
    const lines: string[] = [];
    for (let i = 1; i <= 30; i++) {
      if (i === 7) lines.push("");
      else if (i === 17) lines.push('{"timestamp": "2025-01-01T00:00:00Z", oops}');
      else if (i === 23) lines.push(JSON.stringify(event({ id: `legacy-${i}`, outcome: "maybe" })));
      else if (i % 3 === 0) lines.push(JSON.stringify(event({ id: `legacy-${i}` })));
      else {
        const e = event();
        delete e.id;
        lines.push(JSON.stringify(e));
      }
    }
    fs.writeFileSync(file, lines.join("\n") + "\n");
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = () => ledger.prisma.entry.count({ where: { source: SOURCE } });
  const routes = () => ({ "POST /api/v1/events": testApi(ledger).events.post });

  it("resumes after an interruption, writes rejects with reasons, and never duplicates", async () => {
    // A server that goes down after two requests (connections reset) until `down` is cleared.
    let down = true;
    server = await startServer(routes(), (req, _res, n) => {
      if (down && n > 2) {
        req.socket.destroy();
        return true;
      }
      return false;
    });
    const first = await cli(["import", file, "--key", key, "--url", server.url, "--batch", "5", "--retries", "0"]);
    expect(first.code).toBe(1);
    // Batches are 5 events; the blank line 7 makes the second batch lines 6–11.
    expect(first.stdout).toContain("Stopped after line 11");
    expect(first.stdout).toContain("Run the same command again to resume from line 12");
    const state = JSON.parse(fs.readFileSync(`${file}.ledgerline-import.json`, "utf8"));
    expect(state.linesDone).toBe(11);
    expect(await count()).toBe(10);

    down = false; // the same server is back
    const second = await cli(["import", file, "--key", key, "--url", server.url, "--batch", "5", "--json"]);
    expect(second.code).toBe(1); // two lines were rejected
    const summary = JSON.parse(second.stdout);
    expect(summary).toMatchObject({
      complete: true,
      lines: 30,
      resumedFrom: 11,
      accepted: 27,
      duplicates: 0,
      rejected: 2,
    });
    expect(await count()).toBe(27);

    const rejects = fs
      .readFileSync(`${file}.rejects.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([17, 23]);
    expect(rejects[0].errors[0].detail).toMatch(/malformed JSON/);
    expect(rejects[0].event).toBe('{"timestamp": "2025-01-01T00:00:00Z", oops}');
    // The server's own reason, per line: the pointer relative to the event.
    expect(rejects[1].errors).toEqual([
      expect.objectContaining({ pointer: "/outcome", detail: expect.stringContaining("must be one of") }),
    ]);
    expect(rejects[1].event.id).toBe("legacy-23");

    // A full re-import from the top: every line is a duplicate (ids derived from line + content).
    const again = await cli(["import", file, "--key", key, "--url", server.url, "--batch", "7", "--json", "--restart"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ complete: true, accepted: 0, duplicates: 27, rejected: 2 });
    expect(await count()).toBe(27);
  });

  it("exit 0 when every line went in; refuses a changed file on resume; exit 2 on bad usage", async () => {
    server = await startServer(routes());
    const clean = path.join(dir, "clean.jsonl");
    fs.writeFileSync(clean, [event(), event(), event()].map((e) => JSON.stringify(e)).join("\n"));
    const ok = await cli(["import", clean, "--key", key, "--url", server.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("accepted 3, duplicates 0, rejected 0");
    expect(ok.stderr).toContain("importing clean.jsonl: line 3");

    fs.writeFileSync(clean, [event(), event(), event()].map((e) => JSON.stringify(e)).join("\n"));
    const changed = await cli(["import", clean, "--key", key, "--url", server.url]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain("changed since the last run");

    expect((await cli(["import", clean, "--url", server.url])).code).toBe(2);
    expect((await cli(["import", "--key", key])).code).toBe(2);
    const badKey = await cli(["import", clean, "--key", "llk_nope", "--url", server.url, "--restart"]);
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toContain("401");
  });
});
