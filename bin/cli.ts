// ledgerline — operate a Ledgerline store from the shell, on the same
// DATABASE_URL / LEDGERLINE_DATA_DIR as the server. Human text by default,
// JSON with --json; exit 0 on success, 1 on a failed check, 2 on bad usage.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { parseVerifierKey } from "@/lib/core/index.ts";
import { ConfigError, loadConfig } from "@/lib/server/config.ts";
import { AppError } from "@/lib/server/errors.ts";
import { cliActor } from "@/lib/server/audit/audit-trail.ts";
import { ROLES, isRole } from "@/lib/server/auth/permissions.ts";
import { systemPrincipal, type Principal } from "@/lib/server/auth/principal.ts";
import { createReadToken, listReadTokens, revokeReadToken } from "@/lib/server/auth/read-tokens.ts";
import {
  createUser,
  listUsers,
  resetUserPassword,
  setUserDisabled,
  setUserRole,
  type UserInfo,
} from "@/lib/server/auth/users.ts";
import { createIngestKey, listIngestKeys, revokeIngestKey } from "@/lib/server/ingest/ingest-keys.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { createRuntime, type Runtime } from "@/lib/server/runtime/runtime.ts";
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
  users create --email <email> --role <admin|auditor|analyst> [--name <name>] [--password-stdin] [--json]
                         create a password user; without --password-stdin a password is
                         generated and printed once (hand it over out of band)
  users list [--json]    list users, their roles and status
  users set-role <email> <admin|auditor|analyst> [--json]
                         change a user's role (applies on their next request)
  users disable <email> [--json]
                         disable a user (signed out on their next request; tokens stop)
  users enable <email> [--json]
                         enable a disabled user again
  users reset-password <email> [--password-stdin] [--json]
                         set a new password (generated and printed once when not given)
                         and end the user's sessions
  tokens create --email <email> [--name <name>] [--json]
                         a personal read token acting with the user's role (printed once)
  tokens list [--json]   list personal read tokens (never their secrets)
  tokens revoke <id> [--json]
                         revoke a personal read token
  signing-key show [--json]
                         the checkpoint verifier key string, key id, fingerprint and PEM
  signing-key rotate [--json]
                         sign a final checkpoint with the current key, retire it, and
                         switch to a new key (a running server picks it up without restart;
                         the old key file is kept in <data dir>/retired-keys/)
  signing-key generate [--json]
                         print a new signer key string for LEDGERLINE_SIGNING_KEY (stores nothing)
  checkpoint [--json]    sign a checkpoint of the current log now (if it grew)
  verify-log [--json] [--key <verifier key>]...
                         recompute every leaf and root, check every checkpoint;
                         exit 0 when intact, 1 when not
  integrity run [--full] [--json]
                         the server's verifier on demand (incremental by default:
                         new entries + a rolling sample, and truncation/rollback
                         against what it verified before); exit 0 intact, 1 not
  migrate                apply pending migrations and check the append-only guards
  seed                   put the demo data into an empty store
  verify-bundle <bundle.zip> --key <verifier key | PEM file>… [--json]
                         check an evidence bundle offline (no store or network needed)
                         against the key(s) you pin; exit 0 verified, 1 not, 3 consistent
                         but unpinned (no --key)
  import <file.ndjson> --key <ingest key> [--url <url>] [--batch 500] [--rejects <file>] [--json]
                         send a file's events to a running server (resumable; see docs/integrations.md)

Every change by users/tokens/keys is appended to the log as a meta-audit entry whose
source is ledgerline:cli and whose requester is the operator (user@host).
Configuration comes from the environment (DATABASE_URL, LEDGERLINE_DATA_DIR, …; see README).`;

class UsageError extends Error {}

type Out = { json: boolean };

function print(out: Out, data: unknown, human: string) {
  process.stdout.write(out.json ? JSON.stringify(data, null, 2) + "\n" : human + "\n");
}

async function withLedger<T>(fn: (l: Runtime) => Promise<T>): Promise<T> {
  const ledger = createRuntime(await openLedger(loadConfig(), { log: (m) => process.stderr.write(`${m}\n`) }));
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}

/** Who the CLI acts as: an admin, meta-audited as the operator at the shell (source ledgerline:cli). */
function operator(): Principal {
  return systemPrincipal(cliActor().id);
}

function roleArg(value: string | undefined, missing: string): string {
  if (!value) throw new UsageError(missing);
  if (!isRole(value)) throw new UsageError(`Unknown role "${value}": use one of ${ROLES.join(", ")}.`);
  return value;
}

function oneArg(rest: string[], message: string): string {
  if (rest.length !== 1 || !rest[0]) throw new UsageError(message);
  return rest[0];
}

function status(u: UserInfo): string {
  return u.disabledAt ? "disabled" : "active  ";
}

/** The password piped on stdin, without its one trailing newline (as `echo` or a heredoc adds). */
function readPasswordStdin(): string {
  if (process.stdin.isTTY) {
    throw new UsageError(
      "--password-stdin reads the password from a pipe, e.g. printf '%s' \"$PASSWORD\" | ledgerline users create …; leave it out to have one generated",
    );
  }
  const pw = fs.readFileSync(0, "utf8").replace(/\r?\n$/, "");
  if (!pw) throw new UsageError("--password-stdin: nothing was read from stdin");
  return pw;
}

async function main(argv: string[]): Promise<number> {
  // import talks to a server over HTTP and has options of its own: delegate before the store-side parse.
  if (argv[0] === "import") return (await import("./commands/import.ts")).runImport(argv.slice(1));
  // The offline verifier: lib/core only, no store, no configuration.
  if (argv[0] === "verify-bundle") return (await import("./commands/verify-bundle.ts")).runVerifyBundle(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      source: { type: "string" },
      description: { type: "string" },
      key: { type: "string", multiple: true },
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const out: Out = { json: values.json ?? false };
  const [cmd, sub, ...rest] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(USAGE + "\n");
    return cmd || values.help ? 0 : 2;
  }
  const command = sub && ["keys", "signing-key", "users", "tokens"].includes(cmd) ? `${cmd} ${sub}` : cmd;

  switch (command) {
    case "keys create": {
      if (!values.source)
        throw new UsageError("keys create needs --source <identity>, e.g. --source spiffe://prod/ns/shop/sa/orders");
      const k = await withLedger((l) => createIngestKey(l, operator(), values.source!, values.description));
      print(out, k, `Ingest key ${k.id} for source ${k.source} — shown once, store it now:\n\n  ${k.key}\n`);
      return 0;
    }
    case "keys revoke": {
      const id = rest[0] ?? positionals[2];
      if (!id) throw new UsageError("keys revoke needs the key id, e.g. ledgerline keys revoke 3f9a0c1b2d4e");
      const k = await withLedger((l) => revokeIngestKey(l, operator(), id));
      print(out, k, `Revoked ingest key ${k.id} (source ${k.source}) at ${k.revokedAt}.`);
      return 0;
    }
    case "keys list": {
      const keys = await withLedger((l) => listIngestKeys(l, operator()));
      print(
        out,
        keys,
        keys.length
          ? keys
              .map(
                (k) =>
                  `${k.id}  ${k.revokedAt ? "revoked " : "active  "} ${k.source}  created ${k.createdAt}  last used ${k.lastUsedAt ?? "never"}`,
              )
              .join("\n")
          : "No ingest keys. Create one with: ledgerline keys create --source <identity>",
      );
      return 0;
    }
    case "users create": {
      if (!values.email)
        throw new UsageError("users create needs --email <email>, e.g. --email auditor@example.com --role auditor");
      const role = roleArg(values.role, "users create needs --role <admin|auditor|analyst>");
      const password = values["password-stdin"] ? readPasswordStdin() : undefined;
      const r = await withLedger((l) =>
        createUser(l, operator(), { email: values.email!, role, name: values.name, password }),
      );
      print(
        out,
        r,
        `Created user ${r.user.email} (${r.user.role}).` +
          (r.password ? `\nPassword — shown once, hand it over out of band:\n\n  ${r.password}\n` : ""),
      );
      return 0;
    }
    case "users list": {
      const users = await withLedger((l) => listUsers(l, operator()));
      print(
        out,
        users,
        users.length
          ? users
              .map(
                (u) =>
                  `${u.email}  ${u.role.padEnd(7)}  ${status(u)}  ${u.authProvider}  created ${u.createdAt}${u.name ? `  (${u.name})` : ""}`,
              )
              .join("\n")
          : "No users. Create one with: ledgerline users create --email <email> --role admin",
      );
      return 0;
    }
    case "users set-role": {
      const [email, roleRaw, ...extra] = rest;
      if (!email || extra.length)
        throw new UsageError(
          "users set-role needs <email> <role>, e.g. ledgerline users set-role ana@example.com analyst",
        );
      const role = roleArg(
        roleRaw ?? values.role,
        "users set-role needs <email> <role>, e.g. ledgerline users set-role ana@example.com analyst",
      );
      const u = await withLedger((l) => setUserRole(l, operator(), email, role));
      print(out, u, `${u.email} is now ${u.role}; this applies on their next request.`);
      return 0;
    }
    case "users disable":
    case "users enable": {
      const email = oneArg(rest, `${command} needs <email>, e.g. ledgerline ${command} ana@example.com`);
      const u = await withLedger((l) => setUserDisabled(l, operator(), email, sub === "disable"));
      print(
        out,
        u,
        u.disabledAt
          ? `Disabled ${u.email}; they are signed out on their next request and their read tokens stop working.`
          : `Enabled ${u.email}.`,
      );
      return 0;
    }
    case "users reset-password": {
      const email = oneArg(
        rest,
        "users reset-password needs <email>, e.g. ledgerline users reset-password ana@example.com",
      );
      const password = values["password-stdin"] ? readPasswordStdin() : undefined;
      const r = await withLedger((l) => resetUserPassword(l, operator(), email, password));
      print(
        out,
        r,
        `New password set for ${r.user.email}; their existing sessions have ended.` +
          (r.password ? `\nPassword — shown once, hand it over out of band:\n\n  ${r.password}\n` : ""),
      );
      return 0;
    }
    case "tokens create": {
      if (!values.email) throw new UsageError("tokens create needs --email <email> of the user the token acts as");
      const t = await withLedger((l) => createReadToken(l, operator(), values.email!, values.name));
      print(
        out,
        t,
        `Read token ${t.id} for ${t.email} (acts with their current role) — shown once, store it now:\n\n  ${t.token}\n`,
      );
      return 0;
    }
    case "tokens list": {
      const tokens = await withLedger((l) => listReadTokens(l, operator()));
      print(
        out,
        tokens,
        tokens.length
          ? tokens
              .map(
                (t) =>
                  `${t.id}  ${t.revokedAt ? "revoked " : "active  "} ${t.userEmail}${t.name ? ` "${t.name}"` : ""}  created ${t.createdAt}  last used ${t.lastUsedAt ?? "never"}`,
              )
              .join("\n")
          : "No read tokens. Create one with: ledgerline tokens create --email <email>",
      );
      return 0;
    }
    case "tokens revoke": {
      const id = oneArg(rest, "tokens revoke needs the token id, e.g. ledgerline tokens revoke 3f9a0c1b2d4e");
      await withLedger((l) => revokeReadToken(l, operator(), id));
      print(out, { id, revoked: true }, `Revoked read token ${id}; requests with it get 401 from now on.`);
      return 0;
    }
    case "signing-key show": {
      const k = await withLedger((l) => l.signingKey());
      const data = {
        name: k.name,
        keyId: k.keyIdHex,
        verifierKey: k.verifierKey,
        fingerprint: k.fingerprint,
        publicKeyPem: k.pem,
      };
      print(
        out,
        data,
        `Verifier key: ${k.verifierKey}\nKey id:       ${k.keyIdHex}\nFingerprint:  ${k.fingerprint}\n\n${k.pem.trimEnd()}`,
      );
      return 0;
    }
    case "signing-key rotate": {
      const { rotateSigningKey } = await import("@/lib/server/ledger/rotate.ts");
      const r = await withLedger((l) => rotateSigningKey(l));
      print(
        out,
        r,
        (r.finalCheckpoint
          ? `Signed a final checkpoint (tree size ${r.finalCheckpoint.treeSize}) with the old key.\n`
          : "The log had not grown since the last checkpoint: no final checkpoint needed.\n") +
          `Retired key ${r.retired.keyId} at ${r.retired.retiredAt} (kept in ${r.retired.file}).\n` +
          `New verifier key: ${r.current.verifierKey}\nKey id:           ${r.current.keyId}\nFingerprint:      ${r.current.fingerprint}\n` +
          "A running server signs its next checkpoint with the new key; publish the new verifier key to your auditors.",
      );
      return 0;
    }
    case "signing-key generate": {
      const { generateSigningKey, signerKeyString, verifierKeyString } = await import("@/lib/core/index.ts");
      const k = generateSigningKey(values.name ?? loadConfig().keyName);
      const data = { signerKey: signerKeyString(k.name, k.seed), verifierKey: verifierKeyString(k.name, k.publicKey) };
      print(
        out,
        data,
        `Signer key (secret; put it in LEDGERLINE_SIGNING_KEY):\n\n  ${data.signerKey}\n\nVerifier key: ${data.verifierKey}`,
      );
      return 0;
    }
    case "integrity": {
      // The server's verifier on demand: remembers what it verified (data dir),
      // so it also catches truncation and rollback; alerts like the schedule.
      if (sub !== "run") throw new UsageError('integrity needs a subcommand: "integrity run [--full] [--json]".');
      const { runVerification } = await import("@/lib/server/integrity/index.ts");
      const r = await withLedger((l) =>
        runVerification(l, {
          mode: values.full ? "full" : "incremental",
          requestedBy: cliActor().id,
          onProgress: (done, total) => process.stderr.write(`\rverifying… ${done} / ${total} entries`),
        }),
      );
      process.stderr.write("\n");
      print(
        out,
        r,
        r.ok
          ? `OK (${r.mode}): verified through seq ${r.verifiedThrough}; ${r.entriesChecked} entries and ${r.checkpointsChecked} checkpoint(s) checked`
          : `FAILED (${r.kind}): ${r.reason}${r.firstBadSeq !== null ? ` (first bad seq ${r.firstBadSeq})` : ""}`,
      );
      return r.ok ? 0 : 1;
    }
    case "checkpoint": {
      const cp = await withLedger((l) => l.sequencer.checkpoint());
      print(
        out,
        cp ? { treeSize: cp.treeSize, note: cp.note } : null,
        cp ? cp.note : "Nothing to sign: the log did not grow since the last checkpoint.",
      );
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
          const rows = await db
            .all<{ name: string; public_key: Uint8Array; created_at: string; retired_at: string | null }>(
              "SELECT name, public_key, created_at, retired_at FROM signing_keys",
            )
            .catch(() => {
              throw new AppError(
                "not_found",
                "This store has no Ledgerline tables (signing_keys is missing). Check DATABASE_URL / LEDGERLINE_DATA_DIR.",
              );
            });
          // Each key counts only for checkpoints created within its validity period.
          for (const r of rows)
            verifiers.push({
              name: r.name,
              publicKey: new Uint8Array(r.public_key),
              createdAt: r.created_at,
              retiredAt: r.retired_at,
            });
        }
        const guards = await checkGuards(db);
        let lastPrint = 0;
        const verdict = await verifyLog(db, {
          origin: config.origin,
          verifiers,
          onProgress: (done, total) => {
            if (Date.now() - lastPrint > 1000 || done === total) {
              lastPrint = Date.now();
              process.stderr.write(
                `\rverifying… ${done} / ${total} entries (${total ? Math.floor((done / total) * 100) : 100}%)`,
              );
              if (done === total) process.stderr.write("\n");
            }
          },
        });
        result = { ...verdict, guards: guards.ok ? [] : guards.problems };
        if (verdict.ok && !guards.ok) {
          result = {
            ...result,
            ok: false,
            reason: `the entries verify, but the append-only guards are gone: ${guards.problems.join("; ")}`,
          };
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
        const { seedDemo } = await import("@/lib/server/runtime/demo-seed.ts");
        return seedDemo(l, (m) => process.stdout.write(`${m}\n`));
      });
      if (!seeded)
        print(out, { seeded: false }, "The store is not empty; demo data only ever goes into an empty store.");
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
