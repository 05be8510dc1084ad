import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { consistencyProof, formatCheckpoint, merkleRoot, signNote } from "@/lib/core/index.ts";
import { formatAddCheckpoint } from "@/lib/core/tlog/index.ts";
import type { LogHasher } from "@/lib/core/hash.ts";

// Real witnesses for tests: `ledgerline witness keygen` and `ledgerline witness serve` as
// separate processes (their own process group, so a kill reaches the CLI wrapper and the
// witness alike), on 127.0.0.1 and a port the OS picks — or the port of an earlier run, to
// restart a witness where the log already knows it.

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "bin/ledgerline.mjs");

export type WitnessProcess = {
  name: string;
  vkey: string;
  keyFile: string;
  stateDir: string;
  url: string;
  port: number;
  proc: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
};

/** A new witness key in a fresh temporary directory. */
export function witnessKey(name: string): { dir: string; keyFile: string; vkey: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-witness-"));
  const keyFile = path.join(dir, "witness.key");
  const r = spawnSync(process.execPath, [cli, "witness", "keygen", "--name", name, "--out", keyFile], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`witness keygen failed: ${r.stderr}`);
  return { dir, keyFile, vkey: r.stdout.trim() };
}

export type WitnessOptions = {
  /** A port of an earlier run (0: the OS picks one). */
  port?: number;
  /** Default <key dir>/state. */
  stateDir?: string;
  /** The per-log rate limit; default 1000/s with a burst of 1000 (tests are not throttled), null: the witness's own. */
  rate?: { perSecond: number; burst: number } | null;
  extra?: string[];
};

/** Starts `ledgerline witness serve` for the log `logVkey`; resolves once it listens. */
export async function startWitness(
  key: { dir: string; keyFile: string; vkey: string },
  logVkey: string,
  opts: WitnessOptions = {},
): Promise<WitnessProcess> {
  const stateDir = opts.stateDir ?? path.join(key.dir, "state");
  const rate = opts.rate === undefined ? { perSecond: 1000, burst: 1000 } : opts.rate;
  const args = [cli, "witness", "serve", "--port", String(opts.port ?? 0), "--key-file", key.keyFile];
  args.push("--state", stateDir, "--log", logVkey);
  if (rate) args.push("--rate", String(rate.perSecond), "--burst", String(rate.burst));
  args.push(...(opts.extra ?? []));
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const out: string[] = [];
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) {
        out.push(line);
        const m = /listening on (http:\/\/\S+)\/add-checkpoint/.exec(line);
        if (m) resolve(m[1]!);
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`witness exited (${code}): ${out.join("\n")}`)));
    setTimeout(() => reject(new Error(`witness did not start: ${out.join("\n")}`)), 60_000).unref();
  });
  const name = key.vkey.split("+")[0]!;
  return {
    name,
    vkey: key.vkey,
    keyFile: key.keyFile,
    stateDir,
    url,
    port: Number(new URL(url).port),
    proc,
    out,
    exited,
  };
}

/** SIGKILLs the witness's whole process group and waits for it to be gone. */
export async function killWitness(w: WitnessProcess): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  try {
    process.kill(-w.proc.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await w.exited;
}

/** The LEDGERLINE_WITNESSES value for these witnesses. */
export function witnessesEnv(ws: Array<Pick<WitnessProcess, "vkey" | "url">>): string {
  return ws.map((w) => `${w.vkey}@${w.url}`).join(",");
}

/**
 * An add-checkpoint request body (C2SP tlog-witness) for the log of `leaves`: `signer` signs the
 * checkpoint of the first `size` leaves (origin: its name), with the consistency proof from the
 * witness's `old` size unless `proof` replaces it (a test of a bad proof).
 */
export function addCheckpointBody(
  signer: { name: string; seed: Uint8Array },
  leaves: Uint8Array[],
  old: number,
  size: number,
  opts: { proof?: Uint8Array[]; hasher?: LogHasher } = {},
): string {
  const head = leaves.slice(0, size);
  const rootHash = merkleRoot(head, opts.hasher);
  return formatAddCheckpoint({
    oldSize: old,
    proof: opts.proof ?? (old === 0 ? [] : consistencyProof(old, head, opts.hasher)),
    checkpoint: signNote(formatCheckpoint({ origin: signer.name, size, rootHash }), [signer]),
  });
}
