// ledgerline witness keygen | serve — a C2SP tlog-witness anyone can run on their own machine:
// its own key, its own crash-safe state, no access to the log's database. It imports lib/core
// and lib/witness only (no server code, no configuration).
// Exit 0 on success, 1 on a runtime failure, 2 on bad usage.

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseVerifierKey } from "@/lib/core/index.ts";
import {
  cosignerSignerKey,
  cosignerVerifierKey,
  generateCosignerKey,
  parseCosignerSignerKey,
  parsePolicy,
  type LogKey,
} from "@/lib/core/tlog/index.ts";
import { createWitnessServer, listen } from "@/lib/witness/server.ts";
import { WitnessState } from "@/lib/witness/state.ts";
import { intOption } from "./int-option.ts";
import type { CommandGroup } from "./kit.ts";

export const WITNESS_USAGE = `Usage:
  ledgerline witness keygen --name <name> [--out <file>]
      Create a witness (cosigner) key. Writes the private key to <file> (default ./witness.key,
      mode 0600, never overwritten) and prints the public verifier key (type 0x04) to give to
      the log's operator and to monitors. <name> identifies the witness, e.g. witness.example.org/w1.

  ledgerline witness serve --key-file <file> --state <dir> (--log <log vkey>... | --policy <file>)
                           [--port 2009] [--host 127.0.0.1] [--rate 10] [--burst 20]
      Serve POST /add-checkpoint (c2sp.org/tlog-witness) for the given logs. A log is known by
      the name of its verifier key, which must be its checkpoint origin. --policy takes the
      "log" lines of a c2sp.org/tlog-policy file. State (the latest cosigned checkpoint per log,
      and evidence of refused signed checkpoints) lives in <dir>/witness.db. --rate / --burst
      limit requests per second per log. --port 0 picks a free port (printed).

Exit 0 success, 1 failure, 2 bad usage.`;

class Usage extends Error {}

export const witnessCommand: CommandGroup = {
  name: "witness",
  usage: `  witness keygen | serve  a C2SP tlog-witness anyone can run (see \`ledgerline witness --help\`)`,
  main: (argv) => runWitness(argv),
};

export async function runWitness(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === "keygen") return keygen(rest);
    if (sub === "serve") return await serve(rest);
    if (sub === undefined || sub === "--help" || sub === "-h") {
      process.stdout.write(`${WITNESS_USAGE}\n`);
      return sub === undefined ? 2 : 0;
    }
    throw new Usage(`unknown witness command "${sub}"`);
  } catch (e) {
    if (e instanceof Usage || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`ledgerline witness: ${(e as Error).message}\n\n${WITNESS_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`ledgerline witness: ${(e as Error).message}\n`);
    return 1;
  }
}

function keygen(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { name: { type: "string" }, out: { type: "string" } } });
  if (!values.name) throw new Usage("--name is required, e.g. --name witness.example.org/w1");
  let key: ReturnType<typeof generateCosignerKey>;
  try {
    key = generateCosignerKey(values.name);
  } catch (e) {
    throw new Usage((e as Error).message);
  }
  const out = path.resolve(values.out ?? "witness.key");
  try {
    fs.writeFileSync(out, `${cosignerSignerKey(key.name, key.seed)}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as { code?: string }).code === "EEXIST")
      throw new Error(`${out} exists; refusing to overwrite a key (choose another --out)`);
    throw e;
  }
  process.stderr.write(`witness key written to ${out} (mode 0600): keep it secret, back it up\n`);
  process.stdout.write(`${cosignerVerifierKey(key.name, key.publicKey)}\n`);
  return 0;
}

function readKeyFile(file: string) {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Usage(`--key-file ${file}: no such file (create one with \`ledgerline witness keygen\`)`);
  }
  // Like ssh: a private key others can read is refused rather than used.
  if (process.platform !== "win32" && st.mode & 0o077) {
    throw new Error(
      `${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${file}`,
    );
  }
  try {
    return parseCosignerSignerKey(fs.readFileSync(file, "utf8").trim());
  } catch (e) {
    throw new Usage(`--key-file ${file}: ${(e as Error).message}`);
  }
}

function logKeys(vkeys: string[] | undefined, policyFile: string | undefined): LogKey[] {
  if (!vkeys?.length === !policyFile)
    throw new Usage("give the logs to witness with --log <vkey> (repeatable) or --policy <file>, not both");
  if (policyFile) {
    let text: string;
    try {
      text = fs.readFileSync(policyFile, "utf8");
    } catch (e) {
      throw new Usage(`--policy ${policyFile}: ${(e as Error).message}`);
    }
    try {
      const p = parsePolicy(text);
      if (!p.logs.length) throw new Error("it names no log (add a `log <vkey>` line)");
      return p.logs.map((l) => ({ name: l.name, publicKey: l.publicKey }));
    } catch (e) {
      throw new Usage(`--policy ${policyFile}: ${(e as Error).message}`);
    }
  }
  return vkeys!.map((v) => {
    try {
      const k = parseVerifierKey(v);
      return { name: k.name, publicKey: k.publicKey };
    } catch (e) {
      throw new Usage(`--log ${v.slice(0, 60)}: ${(e as Error).message}`);
    }
  });
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "key-file": { type: "string" },
      state: { type: "string" },
      log: { type: "string", multiple: true },
      policy: { type: "string" },
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      rate: { type: "string" },
      burst: { type: "string" },
    },
  });
  if (!values["key-file"]) throw new Usage("--key-file is required");
  if (!values.state) throw new Usage("--state <dir> is required (the witness's own state; keep it across restarts)");
  const port = intOption(values.port, "--port", { min: 0, max: 65535, fallback: 2009 }, Usage);
  const rate = intOption(values.rate, "--rate", { min: 0.001, max: 100_000, fraction: true, fallback: 10 }, Usage);
  const burst = intOption(
    values.burst,
    "--burst",
    { min: 1, max: 1_000_000, fraction: true, fallback: Math.max(1, rate * 2) },
    Usage,
  );
  const signer = readKeyFile(values["key-file"]);
  const logs = logKeys(values.log, values.policy);
  const vkey = cosignerVerifierKey(signer.name, signer.publicKey);
  const state = new WitnessState(path.resolve(values.state));
  state.bindCosigner(vkey);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} [witness] ${line}\n`);
  const server = createWitnessServer({ signer, logs, state, rate, burst, log });
  const url = await listen(server, port, values.host);
  log(`listening on ${url}/add-checkpoint as ${vkey}`);
  for (const l of logs) {
    const s = state.get(l.name);
    log(`following ${l.name}${s ? ` (last cosigned size ${s.size} at ${s.updatedAt})` : " (nothing cosigned yet)"}`);
  }
  const evidence = state.evidence().length;
  if (evidence)
    log(`ALERT ${evidence} refused signed checkpoint(s) are kept as evidence in ${values.state}/witness.db`);
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      // The same signal may come twice (the terminal's, and the one bin/ledgerline.mjs passes on).
      if (stopping) return;
      stopping = true;
      log(`${sig}: stopping`);
      server.close(() => {
        state.close();
        resolve(0);
      });
      server.closeAllConnections();
    };
    for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => stop(sig));
  });
}
