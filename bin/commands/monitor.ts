// ledgerline monitor — follow a Ledgerline (or any C2SP tlog-tiles) log from the outside,
// through its public tiles only, and raise the alarm on a fork, a rollback, a rewritten or
// withheld entry, a swapped key or lost witness quorum. Imports lib/core and lib/monitor
// only: it runs on the auditor's machine, with nothing of the operator's but the URL.
// Exit codes: lib/monitor/monitor.ts EXIT (0 verified, 1 failure, 2 usage, 3 unreachable,
// 10.. one per problem).

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  generateSigningKey,
  parseSignerKey,
  parseVerifierKey,
  shortKey,
  signerKeyString,
  toHex,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { parsePolicy, simplePolicy, type Policy } from "@/lib/core/tlog/index.ts";
import { postMonitorAlert } from "@/lib/monitor/alert.ts";
import { AccessRefused, TileClient, Unreachable } from "@/lib/monitor/fetcher.ts";
import { EXIT, monitorPass, type MonitorConfig, type Problem } from "@/lib/monitor/monitor.ts";
import { StateDir, StateError } from "@/lib/monitor/state.ts";
import { intOption } from "./int-option.ts";
import type { CommandGroup } from "./kit.ts";

export const MONITOR_USAGE = `Usage:
  ledgerline monitor --url <tiles prefix> --key <log vkey> --state <dir>
                     [--witness <witness vkey>]... [--quorum N] | [--policy <tlog-policy file>]
                     [--token <read token>] [--once] [--interval 60] [--full] [--recheck 16]
                     [--webhook <url> --webhook-secret-file <file>] [--concurrency 8]
      Follow the log at <tiles prefix> (e.g. https://ledgerline.example.org/tlog) through
      /checkpoint and /tile/… only. Each pass checks the log's signature (--key), the witness
      quorum (every --witness by default, or --quorum N of them, or a --policy file), that the
      new checkpoint is consistent with the last one seen, that the tiles reproduce the signed
      root, and — with a read token (--token or LEDGERLINE_READ_TOKEN) — that every entry hashes
      to its leaf. State (the verified tree's right edge and tile digests) lives in <dir>.
      --once: one pass, for cron. Otherwise a pass every --interval seconds until stopped.
      --full: re-verify every tile from the start. --recheck N: old tiles re-read per pass.
      On a problem: a signed JSON POST to --webhook (Ed25519 by the key in
      --webhook-secret-file, as the server's integrity alerts), evidence in <dir>/evidence/,
      and a non-zero exit.

  ledgerline monitor keygen --name <name> [--out <file>]
      Create the monitor's webhook signing key (default ./monitor.key, mode 0600) and print
      its verifier key for the webhook's receiver.

Exit codes: 0 verified; 1 failure (e.g. the read token was refused, damaged state); 2 bad usage;
3 log unreachable; 10 bad or swapped log signature; 11 witness quorum lost; 12 rollback;
13 fork; 14 tiles do not give the signed root; 15 an entry does not hash to its leaf;
16 truncation (tiles or entries withheld); 17 history seen before was rewritten;
18 key changed without a rotation statement (or a retired key signs again).

Key rotations: a checkpoint signed by another key than the trusted one is accepted only when
the entries (read token) hold a ledgerline.key-rotation/v1 statement signed by the trusted key
and by the new one; the monitor then trusts the new key from there on (kept in <dir>).`;

class Usage extends Error {}

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} [monitor] ${line}\n`);

export const monitorCommand: CommandGroup = {
  name: "monitor",
  usage: `  monitor --url <tiles prefix> --key <log vkey> --state <dir> [--once] …
                         follow the log through its tiles and alarm on forks, rollbacks,
                         rewritten entries (see \`ledgerline monitor --help\`)`,
  main: (argv) => runMonitor(argv),
};

export async function runMonitor(argv: string[]): Promise<number> {
  try {
    if (argv[0] === "keygen") return keygen(argv.slice(1));
    if (argv[0] === "--help" || argv[0] === "-h") {
      process.stdout.write(`${MONITOR_USAGE}\n`);
      return 0;
    }
    return await monitor(argv);
  } catch (e) {
    if (e instanceof Usage || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`ledgerline monitor: ${(e as Error).message}\n\n${MONITOR_USAGE}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`ledgerline monitor: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
}

function keygen(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { name: { type: "string" }, out: { type: "string" } } });
  if (!values.name) throw new Usage("--name is required, e.g. --name monitor.auditor.example");
  let key: ReturnType<typeof generateSigningKey>;
  try {
    key = generateSigningKey(values.name);
  } catch (e) {
    throw new Usage((e as Error).message);
  }
  const out = path.resolve(values.out ?? "monitor.key");
  try {
    fs.writeFileSync(out, `${signerKeyString(key.name, key.seed)}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as { code?: string }).code === "EEXIST") throw new Error(`${out} exists; refusing to overwrite a key`);
    throw e;
  }
  process.stderr.write(`monitor webhook key written to ${out} (mode 0600)\n`);
  process.stdout.write(`${verifierKeyString(key.name, key.publicKey)}\n`);
  return 0;
}

type Options = {
  cfg: MonitorConfig;
  stateDir: string;
  token: string | undefined;
  once: boolean;
  intervalMs: number;
  webhook: { url: string; seed: Uint8Array; keyId: string } | null;
};

const MONITOR_OPTIONS = {
  url: { type: "string" },
  key: { type: "string" },
  witness: { type: "string", multiple: true },
  quorum: { type: "string" },
  policy: { type: "string" },
  token: { type: "string" },
  state: { type: "string" },
  once: { type: "boolean", default: false },
  interval: { type: "string" },
  full: { type: "boolean", default: false },
  recheck: { type: "string" },
  concurrency: { type: "string" },
  webhook: { type: "string" },
  "webhook-secret-file": { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof MONITOR_OPTIONS }>>["values"];

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: MONITOR_OPTIONS });
  if (positionals.length) throw new Usage(`unexpected argument ${positionals[0]}`);
  const url = tilesUrl(values.url);
  if (!values.state) throw new Usage("--state <dir> is required: the monitor remembers what it verified there");
  const { policy, keyVkey } = trustPolicy(values);
  const logKey = parseVerifierKeyOption(keyVkey);
  const webhook = webhookOption(values);
  const token = values.token ?? process.env.LEDGERLINE_READ_TOKEN ?? undefined;
  return {
    cfg: {
      url,
      logKey: { vkey: keyVkey, name: logKey.name, publicKey: logKey.publicKey },
      policy,
      withEntries: Boolean(token),
      recheck: intOption(values.recheck, "--recheck", { min: 0, max: 1_000_000, fallback: 16 }, Usage),
      full: values.full,
      concurrency: intOption(values.concurrency, "--concurrency", { min: 1, max: 64, fallback: 8 }, Usage),
      progress: logProgress,
    },
    stateDir: values.state,
    token,
    once: values.once,
    intervalMs: intOption(values.interval, "--interval", { min: 1, max: 86_400, fallback: 60 }, Usage) * 1000,
    webhook,
  };
}

/** The tiles prefix, without trailing slashes. */
function tilesUrl(raw: string | undefined): string {
  if (!raw) throw new Usage("--url <tiles prefix> is required, e.g. --url https://ledgerline.example.org/tlog");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Usage(`--url ${raw} is not a URL`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new Usage("--url must be http(s)");
  return url.toString().replace(/\/+$/, "");
}

/** Whom to trust: a --policy file, or --key with its --witness keys and --quorum. */
function trustPolicy(values: Values): { policy: Policy; keyVkey: string } {
  if (values.policy) return policyFile(values.policy, values);
  const keyVkey = values.key;
  if (!keyVkey)
    throw new Usage(
      "--key <log verifier key> is required (`ledgerline signing-key show` on the server; compare it out of band)",
    );
  const witnesses = values.witness ?? [];
  const quorum = intOption(
    values.quorum,
    "--quorum",
    { min: 0, max: witnesses.length, fallback: witnesses.length },
    Usage,
  );
  try {
    return { policy: simplePolicy(keyVkey, witnesses, quorum), keyVkey };
  } catch (e) {
    throw new Usage((e as Error).message);
  }
}

function policyFile(file: string, values: Values): { policy: Policy; keyVkey: string } {
  if (values.witness?.length || values.quorum)
    throw new Usage("--policy replaces --witness and --quorum; give one or the other");
  let policy: Policy;
  try {
    policy = parsePolicy(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Usage(`--policy ${file}: ${(e as Error).message}`);
  }
  if (values.key) return { policy, keyVkey: values.key };
  if (policy.logs.length !== 1) throw new Usage("--policy names several logs (or none): say which with --key");
  return { policy, keyVkey: policy.logs[0]!.vkey };
}

function parseVerifierKeyOption(vkey: string): ReturnType<typeof parseVerifierKey> {
  try {
    return parseVerifierKey(vkey);
  } catch (e) {
    throw new Usage(`--key: ${(e as Error).message}`);
  }
}

function webhookOption(values: Values): Options["webhook"] {
  const file = values["webhook-secret-file"];
  if (!values.webhook && !file) return null;
  if (!values.webhook || !file) throw new Usage("--webhook and --webhook-secret-file go together");
  try {
    new URL(values.webhook);
  } catch {
    throw new Usage(`--webhook ${values.webhook} is not a URL`);
  }
  let signer: ReturnType<typeof parseSignerKey>;
  try {
    signer = parseSignerKey(fs.readFileSync(file, "utf8").trim());
  } catch (e) {
    throw new Usage(`--webhook-secret-file: ${(e as Error).message} (create one with \`ledgerline monitor keygen\`)`);
  }
  return { url: values.webhook, seed: signer.seed, keyId: toHex(signer.keyId) };
}

const logProgress: MonitorConfig["progress"] = (p) => {
  const pct = p.leavesTotal ? ((100 * p.leavesDone) / p.leavesTotal).toFixed(1) : "100.0";
  log(
    `${p.final ? "verified" : "verifying"} ${p.leavesDone} / ${p.leavesTotal} leaves (${pct} %), ${p.tiles} tiles, ${p.bundles} entry bundles fetched`,
  );
};

async function monitor(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  const dir = new StateDir(opts.stateDir);
  dir.lock();
  const stop = new AbortController();
  const onSignal = (sig: string) => {
    // The same signal may come twice (the terminal's, and the one bin/ledgerline.mjs passes on).
    if (stop.signal.aborted) return;
    log(`${sig}: stopping (the state of the last complete pass is kept)`);
    stop.abort();
  };
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => onSignal(sig));
  try {
    log(
      `following ${opts.cfg.url} as ${opts.cfg.logKey.name}; ${opts.cfg.policy.witnesses.length} witness(es), quorum ${opts.cfg.policy.quorum}; entries ${opts.token ? "checked (read token)" : "not checked (no read token)"}`,
    );
    for (;;) {
      const code = await onePass(opts, dir, stop.signal);
      if (opts.once || (code !== EXIT.ok && code !== EXIT.unreachable)) return code;
      if (stop.signal.aborted) return EXIT.ok;
      await new Promise<void>((r) => {
        const t = setTimeout(r, opts.intervalMs);
        stop.signal.addEventListener("abort", () => {
          clearTimeout(t);
          r();
        });
      });
      if (stop.signal.aborted) return EXIT.ok;
    }
  } catch (e) {
    if (e instanceof StateError) {
      process.stderr.write(`ledgerline monitor: ${e.message}\n`);
      return EXIT.failure;
    }
    throw e;
  } finally {
    dir.unlock();
  }
}

async function onePass(opts: Options, dir: StateDir, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  const saved = dir.load();
  if (saved && saved.state.logKey !== opts.cfg.logKey.vkey) {
    log(
      `note: the state in ${dir.dir} was verified with key ${saved.state.logKey}; now trusting ${opts.cfg.logKey.vkey}`,
    );
  }
  const client = new TileClient(opts.cfg.url, opts.token, signal);
  let result: Awaited<ReturnType<typeof monitorPass>>;
  try {
    result = await monitorPass(opts.cfg, saved, client);
  } catch (e) {
    if (signal.aborted) return EXIT.ok;
    if (e instanceof Unreachable) {
      log(`log unreachable: ${e.message}${opts.once ? "" : "; retrying at the next interval"}`);
      return EXIT.unreachable;
    }
    if (e instanceof AccessRefused) {
      log(`FAILURE: ${e.message}`);
      return EXIT.failure;
    }
    throw e;
  }
  const secs = (Date.now() - started) / 1000;
  if (!result.ok) {
    await raise(opts, dir, result.problem, saved?.state.size ?? null);
    return EXIT[result.problem.kind];
  }
  for (const k of result.rotatedTo) log(`log key rotated: now trusting ${shortKey(k.verifierKey)} (${k.why})`);
  dir.appendDigests(result.newDigests, saved?.digests.length ?? 0);
  dir.save(result.state);
  const rate = secs > 0 ? Math.round(result.grewBy / secs) : 0;
  log(
    `OK: tree size ${result.state.size} (+${result.grewBy}) root ${result.state.root} verified in ${secs.toFixed(1)} s (${rate} entries/s; ${client.stats.tiles} tiles, ${client.stats.bundles} entry bundles, ${(client.stats.bytes / 1e6).toFixed(1)} MB; ${result.rechecked} old tiles re-checked)`,
  );
  return EXIT.ok;
}

async function raise(opts: Options, dir: StateDir, problem: Problem, seenSize: number | null): Promise<void> {
  const file = dir.saveEvidence(problem.kind, problem.evidence);
  const line = `PROBLEM ${problem.kind}: ${problem.reason}${problem.firstBadSeq !== null ? ` (first bad seq ${problem.firstBadSeq})` : ""}`;
  log(line);
  process.stderr.write(`${line}\nevidence kept in ${file}\n`);
  if (!opts.webhook) return;
  const sent = await postMonitorAlert(opts.webhook, problem, {
    origin: opts.cfg.logKey.name,
    url: opts.cfg.url,
    seenSize,
  });
  log(sent.ok ? `alert posted to ${opts.webhook.url}` : `alert webhook failed: ${sent.error}`);
}
