import crypto from "node:crypto";
import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entryLeafHash, toBase64 } from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { startRsyslog, type Rsyslog } from "@/test/support/rsyslog.ts";
import { event, freshLedger } from "@/test/support/stores.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { SiemStreamer } from "./streamer.ts";
import { destinationById, insertDestination } from "./store.ts";

// Syslog streaming to Debian's rsyslogd, a real receiver, over TCP and over TLS: every
// covered entry arrives as one RFC 5424 message (octet-counted framing) whose structured
// data carries seq, leaf hash and checkpoint size, and whose JSON recomputes the leaf hash.

const RFC5424 =
  /^<(\d{1,3})>1 (\S+) (\S+) ledgerline - access \[ledgerline@32473 seq="(\d+)" leafHash="([^"]+)" checkpointSize="(\d+)"\] \uFEFF?(\{.*\})$/;

describe.each([false, true])("syslog streaming to rsyslogd (TLS %s)", (tls) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let rx: Rsyslog;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger("sqlite"));
    rx = await startRsyslog({ tls });
  });
  afterEach(async () => {
    await rx.stop();
    await cleanup();
  });

  async function receivedLines(n: number): Promise<string[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const text = fs.existsSync(rx.file) ? fs.readFileSync(rx.file, "utf8") : "";
      const got = text.split("\n").filter(Boolean);
      if (got.length >= n || Date.now() > deadline) return got;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("delivers every covered entry as an RFC 5424 message with its proof", async () => {
    const events = Array.from({ length: 60 }, (_, i) => {
      const r = validateEvent(event({ id: `sl-${crypto.randomUUID()}-${i}`, outcome: i % 7 ? "success" : "denied" }));
      if (!r.ok) throw new Error("fixture");
      return r.event;
    });
    if (!(await ledger.sequencer.append("spiffe://t.example/ns/shop/sa/orders", events)).ok) throw new Error("append");
    await ledger.sequencer.checkpoint();
    const id = crypto.randomUUID();
    await insertDestination(
      ledger.db,
      {
        id,
        name: "rsyslog",
        kind: tls ? "syslog-tls" : "syslog-tcp",
        format: "native",
        url: `${tls ? "localhost" : "127.0.0.1"}:${rx.port}`,
        options: { host: "ledgerline-test", batch: 25, ...(rx.ca ? { ca: rx.ca } : {}) },
        secret: null,
        cursorSeq: 0,
        createdBy: "t",
      },
      new Date().toISOString(),
    );
    await new SiemStreamer(ledger, { maxAttempts: 3, batch: 25, log: () => undefined }).pass();
    const d = (await destinationById(ledger.db, id))!;
    expect(d.lastError).toBeNull();
    expect(d.cursorSeq).toBe(60);
    const got = await receivedLines(60);
    expect(got).toHaveLength(60);
    const seqs = got.map((line) => {
      const m = RFC5424.exec(line);
      if (!m) throw new Error(`not RFC 5424 as sent: ${line.slice(0, 200)}`);
      const record = JSON.parse(m[7]!) as { seq: number; leafHash: string; entry: { outcome: string } };
      expect(record.seq).toBe(Number(m[4]));
      expect(m[5]).toBe(record.leafHash);
      expect(toBase64(entryLeafHash(record.entry))).toBe(record.leafHash);
      // facility 13 (log audit); notice for a denial, informational otherwise.
      expect(Number(m[1])).toBe(record.entry.outcome === "denied" ? 109 : 110);
      expect(m[3]).toBe("ledgerline-test");
      return record.seq;
    });
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});
