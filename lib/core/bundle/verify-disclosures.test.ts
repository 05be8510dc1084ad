import { describe, expect, it } from "vitest";
import { fixtureBundle, fixtureLog, reseal, type FixtureEntry } from "@/test/support/bundle-fixture.ts";
import { utf8 } from "../bytes.ts";
import { commitPersonal, type PersonalSecret } from "../personal.ts";
import { disclosureLine, type Disclosure } from "./disclosures.ts";
import { BUNDLE_FILES, formatManifest, type BundleManifest } from "./format.ts";
import { personalLines } from "./personal-report.ts";
import { verifyBundle } from "./verify.ts";

// disclosures.jsonl (format.md § 5.1) against the offline verifier: a log whose payments entries
// are v2 leaves committing /requester/ip and /requester/id, bundled with each field disclosed,
// withheld (with or without the manifest's claim) or erased — and tampered values and salts,
// re-signed with the key as an insider holding it would, which only the commitment catches.

const IP = "/requester/ip";
const ID = "/requester/id";
const RECEIPT = { receiptSeq: 100, request: "GDPR-2026-7" };

function v2Log(): { log: FixtureEntry[]; secrets: Map<number, PersonalSecret[]> } {
  const secrets = new Map<number, PersonalSecret[]>();
  const log = fixtureLog(12).map((e) => {
    if ((e.target as { service?: string }).service !== "payments") return e;
    const withIp = { ...e, requester: { ...(e.requester as object), ip: `10.0.0.${e.seq}` } };
    let k = 0;
    const c = commitPersonal(withIp, [IP, ID], () => Uint8Array.from({ length: 32 }, () => e.seq * 4 + k++))!;
    secrets.set(e.seq, c.secrets);
    return { ...c.stripped, leafVersion: 2, personal: c.personal } as FixtureEntry;
  });
  return { log, secrets };
}

type Options = {
  withheld?: string[];
  erased?: string[];
  claim?: string[];
  file?: boolean;
  filter?: Record<string, unknown>;
  mutate?: (seq: number, fields: Record<string, Disclosure>) => void;
};

function fieldsOf(secrets: PersonalSecret[], o: Options): Record<string, Disclosure> {
  const fields: Record<string, Disclosure> = {};
  for (const s of secrets) {
    if (o.erased?.includes(s.pointer)) fields[s.pointer] = { erased: RECEIPT };
    else if (o.withheld?.includes(s.pointer)) fields[s.pointer] = { withheld: true };
    else fields[s.pointer] = { salt: s.salt, value: JSON.parse(s.value) as unknown };
  }
  return fields;
}

function bundle(o: Options = {}) {
  const { log, secrets } = v2Log();
  const fx = fixtureBundle({ log, filter: o.filter ?? { service: "payments" } });
  let text = "";
  for (const line of new TextDecoder().decode(fx.files.get(BUNDLE_FILES.events)).split("\n").filter(Boolean)) {
    const seq = (JSON.parse(line) as { seq: number }).seq;
    const kept = secrets.get(seq);
    if (!kept) continue;
    const fields = fieldsOf(kept, o);
    o.mutate?.(seq, fields);
    text += disclosureLine(seq, fields);
  }
  if (o.file !== false) fx.files.set(BUNDLE_FILES.disclosures, utf8(text));
  if (o.claim) {
    const m = JSON.parse(new TextDecoder().decode(fx.files.get(BUNDLE_FILES.manifest))) as BundleManifest;
    fx.files.set(BUNDLE_FILES.manifest, utf8(formatManifest({ ...m, withheld: o.claim })));
  }
  reseal(fx.files, fx.key.seed);
  return fx;
}

const verify = (fx: ReturnType<typeof bundle>) => verifyBundle(fx.files, { key: fx.verifierKey });
const field = (r: Awaited<ReturnType<typeof verify>>, pointer: string) =>
  r.personal.fields.find((f) => f.pointer === pointer);
const entriesCheck = (r: Awaited<ReturnType<typeof verify>>) => r.checks.find((c) => c.id === "entries")!;

describe("bundle disclosures (format.md § 5.1)", () => {
  it("verifies disclosed values that open their commitments and counts them per pointer", async () => {
    const r = await verify(bundle());
    expect(r.verdict).toBe("verified");
    expect(r.personal.file).toBe(true);
    expect(field(r, IP)).toMatchObject({ disclosed: 6, withheld: 0, erased: 0 });
    expect(field(r, ID)).toMatchObject({ disclosed: 6, withheld: 0, erased: 0 });
    expect(entriesCheck(r).detail).toMatch(/12 disclosed and opening their commitments, 0 withheld, 0 erased/);
  });

  it("fails a swapped value, naming the seq and the pointer", async () => {
    const r = await verify(
      bundle({ mutate: (seq, f) => seq === 4 && (f[IP] = { ...(f[IP] as { salt: string }), value: "10.9.9.9" }) }),
    );
    expect(r.verdict).toBe("failed");
    expect(r.firstBadSeq).toBe(4);
    expect(entriesCheck(r).detail).toBe(
      "seq 4: the disclosed value of /requester/ip does not open its commitment (the value or its salt was changed)",
    );
  });

  it("fails a swapped salt", async () => {
    const other = "ab".repeat(32);
    const r = await verify(
      bundle({ mutate: (seq, f) => seq === 6 && (f[ID] = { ...(f[ID] as { value: unknown }), salt: other }) }),
    );
    expect(r.verdict).toBe("failed");
    expect(r.firstBadSeq).toBe(6);
    expect(entriesCheck(r).detail).toMatch(/seq 6: the disclosed value of \/requester\/id does not open/);
  });

  it("verifies withheld fields the manifest names, and reports them", async () => {
    const r = await verify(bundle({ withheld: [IP], claim: [IP] }));
    expect(r.verdict).toBe("verified");
    expect(r.personal.withheldClaim).toEqual([IP]);
    expect(field(r, IP)).toMatchObject({ disclosed: 0, withheld: 6 });
    expect(personalLines(r.personal).join("\n")).toMatch(/\/requester\/ip {2}0 disclosed · 6 withheld on purpose/);
  });

  it("fails a withheld field the manifest does not name, and a disclosed one it does", async () => {
    const unclaimed = await verify(bundle({ withheld: [IP] }));
    expect(unclaimed.verdict).toBe("failed");
    expect(entriesCheck(unclaimed).detail).toMatch(
      /\/requester\/ip is withheld but manifest.withheld does not name it/,
    );
    const claimed = await verify(bundle({ claim: [IP] }));
    expect(claimed.verdict).toBe("failed");
    expect(entriesCheck(claimed).detail).toMatch(/is disclosed although manifest.withheld names it/);
  });

  it("verifies erased fields (commitment only) and names the receipt and request", async () => {
    const r = await verify(bundle({ erased: [IP] }));
    expect(r.verdict).toBe("verified");
    expect(field(r, IP)).toMatchObject({ disclosed: 0, erased: 6, receipts: [{ ...RECEIPT, count: 6 }] });
    expect(personalLines(r.personal).join("\n")).toMatch(/6 erased \(receipt seq 100, request GDPR-2026-7\)/);
  });

  it("fails a line for the wrong seq and a missing line", async () => {
    const fx = bundle();
    const text = new TextDecoder().decode(fx.files.get(BUNDLE_FILES.disclosures));
    fx.files.set(BUNDLE_FILES.disclosures, utf8(text.split("\n").slice(1).join("\n")));
    reseal(fx.files, fx.key.seed);
    const r = await verify(fx);
    expect(r.verdict).toBe("failed");
    expect(entriesCheck(r).detail).toMatch(/disclosures.jsonl line 1 is for seq 4, not seq 2/);
  });

  it("checks a filter on a personal field against the disclosed value", async () => {
    const r = await verify(bundle({ filter: { service: "payments", requester: "spiffe://test/ns/a/sa/*" } }));
    expect(r.verdict).toBe("verified");
    expect(r.personal.filterUncheckable.count).toBe(0);
  });

  it("reports a filter on a withheld field as not checkable offline instead of failing", async () => {
    const filter = { service: "payments", requester: "spiffe://test/ns/a/sa/*" };
    const r = await verify(bundle({ filter, withheld: [ID], claim: [ID] }));
    expect(r.verdict).toBe("verified");
    expect(r.personal.filterUncheckable).toEqual({ count: 6, firstSeqs: [2, 4, 6, 8, 10, 12] });
    expect(r.checks.find((c) => c.id === "manifest")!.detail).toMatch(/6 not checkable offline/);
  });

  it("still fails a filter member it can check when another reads a withheld field", async () => {
    const fx = bundle({
      filter: { service: "payments", requester: "spiffe://test/ns/a/sa/*" },
      withheld: [ID],
      claim: [ID],
    });
    const m = JSON.parse(new TextDecoder().decode(fx.files.get(BUNDLE_FILES.manifest))) as BundleManifest;
    fx.files.set(BUNDLE_FILES.manifest, utf8(formatManifest({ ...m, filter: { ...m.filter, service: "ledger" } })));
    reseal(fx.files, fx.key.seed);
    const r = await verify(fx);
    expect(r.verdict).toBe("failed");
    expect(r.checks.find((c) => c.id === "manifest")!.detail).toMatch(/does not match the manifest's filter/);
  });

  it("reads a bundle made before disclosure (no disclosures.jsonl) as every field withheld", async () => {
    const r = await verify(bundle({ file: false, filter: { service: "payments", requester: "spiffe://test/*" } }));
    expect(r.verdict).toBe("verified");
    expect(r.personal.file).toBe(false);
    expect(field(r, IP)).toMatchObject({ disclosed: 0, withheld: 6 });
    expect(r.personal.filterUncheckable.count).toBe(6);
  });
});
