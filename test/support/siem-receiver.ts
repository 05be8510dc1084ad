import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Starts test/support/siem-receiver.mjs (HEC, _bulk and NDJSON stand-ins that check the
// wire formats) as its own process, for the SIEM int tests and the /siem e2e.

const receiverScript = path.resolve(import.meta.dirname, "siem-receiver.mjs");

export type Receiver = { url: string; file: string; proc: ChildProcess };

export async function startReceiver(hecToken = "t0k3n"): Promise<Receiver> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "siem-rx-")), "received.jsonl");
  fs.writeFileSync(file, "");
  const proc = spawn(process.execPath, [receiverScript], {
    env: { ...process.env, PORT: "0", RECEIVED_FILE: file, HEC_TOKEN: hecToken },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on("data", (b: Buffer) => {
      const m = /listening (\d+)/.exec(b.toString());
      if (m) resolve(Number(m[1]));
    });
    proc.once("exit", (c) => reject(new Error(`receiver exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, file, proc };
}

/** Every record the receiver accepted, in arrival order. */
export const received = (rx: Receiver) =>
  fs
    .readFileSync(rx.file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; record: Record<string, unknown> });
