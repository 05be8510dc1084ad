import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, event, freshLedger, ingestRequest, testApi, type Dialect } from "@/test/support/stores.ts";
import type { PersonalReport } from "@/lib/core/bundle/verify.ts";
import { readZip } from "@/lib/core/zip/read.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import { eraseSubject } from "../retention/erase.ts";
import { declarePersonalField } from "../retention/personal-fields.ts";
import { bundleFile } from "./build.ts";
import { buildBundleIsolated } from "./build-process.ts";
import { whenBundlesIdle } from "./queue.ts";
import { createBundle, getBundle } from "./service.ts";

// Issue 18, bundles that disclose: v2 entries (declared personal fields) bundled with their
// values and salts, one subject erased, one field withheld — built by the use case and by the
// `ledgerline bundle create --withhold` CLI, and checked by `ledgerline verify-bundle --json`,
// each a separate process, on both stores.

const root = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(root, "bin/ledgerline.mjs");
const admin = systemPrincipal("root@test");
const SOURCE = "spiffe://test.example/ns/shop/sa/disclose";
const ERASED_IP = "10.88.1.1";
const KEPT_IP = "10.88.2.2";
const ALICE = "alice-5e1b@example.com";
const BOB = "bob-9c4d@example.com";

async function setup(dialect: Dialect) {
  const env = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
  const l = env.ledger;
  await declarePersonalField(l, admin, { source: SOURCE, pointer: "/requester/ip" });
  await declarePersonalField(l, admin, { source: SOURCE, pointer: "/attributes/user" });
  const { key } = await createIngestKey(l, admin, SOURCE);
  const events = [
    ...Array.from({ length: 4 }, () => [ERASED_IP, ALICE] as const),
    ...Array.from({ length: 3 }, () => [KEPT_IP, BOB] as const),
  ].map(([ip, user]) =>
    event({ requester: { id: "spiffe://test.example/ns/shop/sa/web", type: "service", ip }, attributes: { user } }),
  );
  const res = await testApi(l).events.post(
    ingestRequest("http://127.0.0.1/api/v1/events", JSON.stringify(events), {}, key),
    {},
  );
  expect(res.status).toBe(201);
  await eraseSubject(l, admin, { field: "/requester/ip", value: ERASED_IP, request: "DSR-42" });
  await l.sequencer.checkpoint();
  return env;
}

type Verified = { status: number | null; json: { verdict: string; personal: PersonalReport; checks: unknown[] } };

function verifyCli(zip: string, key: string): Verified {
  const r = spawnSync(process.execPath, [bin, "verify-bundle", zip, "--key", key, "--json"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  expect(r.stderr).toBe("");
  return { status: r.status, json: JSON.parse(r.stdout) as Verified["json"] };
}

/** Whether any member of the ZIP (inflated) holds `text`. */
function zipHolds(file: string, text: string): boolean {
  const zip = readZip(new Uint8Array(fs.readFileSync(file)));
  if (!zip.ok) throw new Error(zip.reason);
  return [...zip.files.values()].some((b) => Buffer.from(b).includes(Buffer.from(text)));
}

const fieldOf = (v: Verified, pointer: string) => v.json.personal.fields.find((f) => f.pointer === pointer);

describe.each(DIALECTS)("bundles with personal fields on %s", (dialect) => {
  let env: Awaited<ReturnType<typeof setup>> | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("discloses kept values, marks the erased ones with their receipt, and verifies offline", async () => {
    env = await setup(dialect);
    const l = env.ledger;
    const { id } = await createBundle(l, admin, { source: SOURCE, q: "alice" });
    await whenBundlesIdle(l);
    expect(await getBundle(l, admin, id)).toMatchObject({ status: "ready", count: 4, withheld: [] });
    const zip = bundleFile(l.config.dataDir, id);
    const v = verifyCli(zip, (await l.signingKey()).verifierKey);
    expect(v.status, JSON.stringify(v.json.checks)).toBe(0);
    expect(fieldOf(v, "/attributes/user")).toMatchObject({ disclosed: 4, withheld: 0, erased: 0 });
    const ip = fieldOf(v, "/requester/ip")!;
    expect(ip).toMatchObject({ disclosed: 0, withheld: 0, erased: 4 });
    expect(ip.receipts).toEqual([expect.objectContaining({ request: "DSR-42", count: 4 })]);
    // The filter reads /attributes/user, disclosed: every entry was checked against it.
    expect(v.json.personal.filterUncheckable.count).toBe(0);
    expect(zipHolds(zip, ERASED_IP)).toBe(false);
    expect(zipHolds(zip, ALICE)).toBe(true); // disclosed in disclosures.jsonl
  });

  it("an archive's build (disclose: false) carries commitments only, and still verifies with every field withheld", async () => {
    env = await setup(dialect);
    const l = env.ledger;
    const built = await buildBundleIsolated(
      l,
      {
        id: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
        createdBy: "archive@test",
        filter: { source: SOURCE },
        disclose: false,
      },
      () => undefined,
    );
    const v = verifyCli(built.file, (await l.signingKey()).verifierKey);
    expect(v.status, JSON.stringify(v.json.checks)).toBe(0);
    expect(fieldOf(v, "/attributes/user")).toMatchObject({ disclosed: 0, withheld: 7 });
    expect(zipHolds(built.file, ALICE)).toBe(false);
    expect(zipHolds(built.file, ERASED_IP)).toBe(false);
  });

  it("withholds a field through the CLI, says so in the manifest and the meta-audit, and still verifies", async () => {
    env = await setup(dialect);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-disclose-"));
    dirs.push(dir);
    const out = path.join(dir, "withheld.zip");
    const args = ["bundle", "create", "--filter", JSON.stringify({ source: SOURCE, q: "alice" })];
    const made = spawnSync(process.execPath, [bin, ...args, "--withhold", "/attributes/user", "--out", out], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, ...env.store.env, NODE_OPTIONS: "" },
    });
    expect(made.status, made.stdout + made.stderr).toBe(0);
    expect(made.stdout).toContain("withholding /attributes/user");
    const v = verifyCli(out, (await env.ledger.signingKey()).verifierKey);
    expect(v.status, JSON.stringify(v.json.checks)).toBe(0);
    expect(v.json.personal.withheldClaim).toEqual(["/attributes/user"]);
    expect(fieldOf(v, "/attributes/user")).toMatchObject({ disclosed: 0, withheld: 4 });
    // q reads the withheld attribute: reported, not failed.
    expect(v.json.personal.filterUncheckable.count).toBe(4);
    expect(zipHolds(out, ALICE)).toBe(false);
    expect(zipHolds(out, ERASED_IP)).toBe(false);
    const audit = await env.ledger.db.all<{ attributes: string }>(
      "SELECT attributes FROM entries WHERE action = 'bundles.create' ORDER BY seq",
    );
    expect(JSON.parse(audit.at(-1)!.attributes)).toMatchObject({ withheld: "/attributes/user" });
  });

  it("refuses a pointer that cannot be personal, naming it", async () => {
    env = await setup(dialect);
    await expect(createBundle(env.ledger, admin, {}, { withhold: ["/target/id"] })).rejects.toThrow(
      /Cannot withhold "\/target\/id"/,
    );
  });
});
