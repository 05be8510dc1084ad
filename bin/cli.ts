// ledgerline — operate a Ledgerline store from the shell, on the same
// DATABASE_URL / LEDGERLINE_DATA_DIR as the server. Human text by default,
// JSON with --json; exit 0 on success, 1 on a failed check, 2 on bad usage.
import { parseArgs } from "node:util";
import { parseVerifierKey } from "@/lib/core/index.ts";
import { ConfigError, loadConfig } from "@/lib/server/config.ts";
import { AppError } from "@/lib/server/errors.ts";
import { createIngestKey, listIngestKeys, revokeIngestKey } from "@/lib/server/ingest-keys.ts";
import { openLedger, type Ledger } from "@/lib/server/ledger/ledger.ts";
import { verifyLog, type Verifier, type VerifyResult } from "@/lib/server/ledger/verify.ts";
import { openDriver } from "@/lib/server/db/driver.ts";
import { checkGuards } from "@/lib/server/db/guards.ts";

const USAGE = `Usage: ledgerline <command> [options]

Commands:
  keys create --source <identity> [--description <text>] [--json]
                         create an ingest key bound to a source identity (printed once)
  keys revoke <id> [--json]
                         revoke an ingest key; requests with it get 401 from then on
  keys list [--json]     list ingest keys (never their secrets)
  signing-key show [--json]
                         the checkpoint verifier key string, key id, fingerprint and PEM
  checkpoint [--json]    sign a checkpoint of the current log now (if it grew)
  verify-log [--json] [--key <verifier key>]...
                         recompute every leaf and root, check every checkpoint;
                         exit 0 when intact, 1 when not
  migrate                apply pending migrations and check the append-only guards
  seed                   put the demo data into an empty store

Configuration comes from the environment (DATABASE_URL, LEDGERLINE_DATA_DIR, …; see README).`;

class UsageError extends Error {}

type Out = { json: boolean };

function print(out: Out, data: unknown, human: string) {
  process.stdout.write(out.json ? JSON.stringify(data, null, 2) + "\n" : human + "\n");
}

async function withLedger<T>(fn: (l: Ledger) => Promise<T>): Promise<T> {
  const ledger = await openLedger(loadConfig(), { log: (m) => process.stderr.write(`${m}\n`) });
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      source: { type: "string" },
      description: { type: "string" },
      key: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const out: Out = { json: values.json ?? false };
  const [cmd, sub, ...rest] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(USAGE + "\n");
    return cmd || values.help ? 0 : 2;
  }
  const command = sub && ["keys", "signing-key"].includes(cmd) ? `${cmd} ${sub}` : cmd;

  switch (command) {
    case "keys create": {
      if (!values.source) throw new UsageError("keys create needs --source <identity>, e.g. --source spiffe://prod/ns/shop/sa/orders");
      const k = await withLedger((l) => createIngestKey(l.prisma, values.source!, values.description));
      print(out, k, `Ingest key ${k.id} for source ${k.source} — shown once, store it now:\n\n  ${k.key}\n`);
      return 0;
    }
    case "keys revoke": {
      const id = rest[0] ?? positionals[2];
      if (!id) throw new UsageError("keys revoke needs the key id, e.g. ledgerline keys revoke 3f9a0c1b2d4e");
      const k = await withLedger((l) => revokeIngestKey(l.prisma, id));
      print(out, k, `Revoked ingest key ${k.id} (source ${k.source}) at ${k.revokedAt}.`);
      return 0;
    }
    case "keys list": {
      const keys = await withLedger((l) => listIngestKeys(l.prisma));
      print(
        out,
        keys,
        keys.length
          ? keys
              .map((k) => `${k.id}  ${k.revokedAt ? "revoked " : "active  "} ${k.source}  created ${k.createdAt}  last used ${k.lastUsedAt ?? "never"}`)
              .join("\n")
          : "No ingest keys. Create one with: ledgerline keys create --source <identity>",
      );
      return 0;
    }
    case "signing-key show": {
      const k = await withLedger((l) => l.signingKey());
      const data = { name: k.name, keyId: k.keyIdHex, verifierKey: k.verifierKey, fingerprint: k.fingerprint, publicKeyPem: k.pem };
      print(out, data, `Verifier key: ${k.verifierKey}\nKey id:       ${k.keyIdHex}\nFingerprint:  ${k.fingerprint}\n\n${k.pem.trimEnd()}`);
      return 0;
    }
    case "checkpoint": {
      const cp = await withLedger((l) => l.sequencer.checkpoint());
      print(out, cp ? { treeSize: cp.treeSize, note: cp.note } : null, cp ? cp.note : "Nothing to sign: the log did not grow since the last checkpoint.");
      return 0;
    }
    case "verify-log": {
      // Forensic mode: no migrations, no guard requirement, nothing written —
      // a store whose guards were removed is exactly the one to examine.
      const config = loadConfig();
      const db = openDriver(config.database);
      let result: VerifyResult & { guards: string[] };
      try {
        const verifiers: Verifier[] = [];
        for (const s of values.key ?? []) {
          try {
            const v = parseVerifierKey(s);
            verifiers.push({ name: v.name, publicKey: v.publicKey });
          } catch (e) {
            throw new UsageError(`--key ${s}: ${(e as Error).message}`);
          }
        }
        if (!verifiers.length) {
          const rows = await db.all<{ name: string; public_key: Uint8Array }>("SELECT name, public_key FROM signing_keys").catch(() => {
            throw new AppError("not_found", "This store has no Ledgerline tables (signing_keys is missing). Check DATABASE_URL / LEDGERLINE_DATA_DIR.");
          });
          for (const r of rows) verifiers.push({ name: r.name, publicKey: new Uint8Array(r.public_key) });
        }
        const guards = await checkGuards(db);
        let lastPrint = 0;
        const verdict = await verifyLog(db, {
          origin: config.origin,
          verifiers,
          onProgress: (done, total) => {
            if (Date.now() - lastPrint > 1000 || done === total) {
              lastPrint = Date.now();
              process.stderr.write(`\rverifying… ${done} / ${total} entries (${total ? Math.floor((done / total) * 100) : 100}%)`);
              if (done === total) process.stderr.write("\n");
            }
          },
        });
        result = { ...verdict, guards: guards.ok ? [] : guards.problems };
        if (verdict.ok && !guards.ok) {
          result = { ...result, ok: false, reason: `the entries verify, but the append-only guards are gone: ${guards.problems.join("; ")}` };
        }
      } finally {
        await db.close();
      }
      print(
        out,
        result,
        result.ok
          ? `OK: ${result.treeSize} entries verified; ${result.checkpoints} checkpoint(s) valid and consistent (latest ${result.latestCheckpoint}); root ${result.root}`
          : `FAILED: ${result.reason}${result.firstBadSeq !== null ? ` (first bad seq ${result.firstBadSeq})` : ""}`,
      );
      return result.ok ? 0 : 1;
    }
    case "migrate": {
      await withLedger(async () => undefined);
      print(out, { ok: true }, "Migrations applied; append-only guards present.");
      return 0;
    }
    case "seed": {
      const seeded = await withLedger(async (l) => {
        const { seedDemo } = await import("@/lib/server/demo.ts");
        return seedDemo(l, (m) => process.stdout.write(`${m}\n`));
      });
      if (!seeded) print(out, { seeded: false }, "The store is not empty; demo data only ever goes into an empty store.");
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${positionals.join(" ")}".`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      process.stderr.write(`ledgerline: ${(e as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (e instanceof AppError || e instanceof ConfigError) {
      process.stderr.write(`ledgerline: ${(e as Error).message}\n`);
      process.exit(1);
    }
    process.stderr.write(`ledgerline: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  },
);
