import { ed25519 } from "@noble/curves/ed25519.js";
import { zipSync, type Zippable } from "fflate";
import { toBase64, toHex, utf8 } from "@/lib/core/bytes.ts";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { normalizeFilter, type EventFilter } from "@/lib/core/event-filter.ts";
import { hashLeaf, sha256 } from "@/lib/core/hash.ts";
import { inclusionProof, merkleRoot } from "@/lib/core/merkle.ts";
import {
  formatCheckpoint,
  generateSigningKey,
  keyFingerprint,
  keyId,
  publicKeyToPem,
  signNote,
  verifierKeyString,
} from "@/lib/core/note.ts";
import {
  BUNDLE_FILES,
  BUNDLE_FILE_ORDER,
  BUNDLE_FORMAT,
  csvHeader,
  csvLine,
  eventLine,
  formatManifest,
  formatSums,
  formatVerifyText,
  proofLine,
} from "@/lib/core/bundle/format.ts";

// In-memory bundles for the bundle verifier's unit tests: a whole log, a filter, a key — and
// `reseal`, which re-signs altered files the way someone holding the key would, so a
// test can show that checks 3–5 catch what checks 1–2 no longer can.

export type FixtureEntry = Record<string, unknown> & { seq: number };

export function fixtureLog(n: number): FixtureEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    id: `e-${i + 1}`,
    timestamp: new Date(Date.UTC(2026, 8, 1, 0, 0, i)).toISOString(),
    receivedAt: new Date(Date.UTC(2026, 8, 1, 0, 0, i, 5)).toISOString(),
    source: "spiffe://test/src",
    eventType: i % 3 === 0 ? "write" : "read",
    outcome: i % 5 === 0 ? "denied" : "success",
    requester: { id: `spiffe://test/ns/a/sa/${i % 4 === 0 ? "=cmd|'/c calc'!A1" : "orders"}`, type: "service" },
    target: { id: `db://cards/${i}`, service: i % 2 ? "payments" : "ledger", type: "db" },
    action: 'SELECT, "cards"',
    reason: i % 7 === 0 ? "line one\r\nline two" : undefined,
    attributes: { n: i, note: "-1 + 2" },
  })).map((e) => JSON.parse(JSON.stringify(e)) as FixtureEntry);
}

export const FIXTURE_SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

export function fixtureBundle(
  opts: { log?: FixtureEntry[]; filter?: EventFilter; seed?: Uint8Array; keyName?: string } = {},
) {
  const log = opts.log ?? fixtureLog(40);
  const filter = normalizeFilter(opts.filter ?? { service: "payments" });
  const key = generateSigningKey(opts.keyName ?? "test.ledgerline", opts.seed ?? FIXTURE_SEED);
  const leaves = log.map((e) => hashLeaf(utf8(canonicalJson(e))));
  const root = merkleRoot(leaves);
  const origin = "test.ledgerline/bundles";
  const checkpoint = signNote(formatCheckpoint({ origin, size: log.length, rootHash: root }), [
    { name: key.name, seed: key.seed },
  ]);
  const selected = log.filter(
    (e) => (e.target as { service?: string }).service === filter.service || filter.service === undefined,
  );
  let events = "";
  let proofs = "";
  let csv = csvHeader();
  for (const e of selected) {
    const leaf = leaves[e.seq - 1]!;
    events += eventLine(e.seq, leaf, canonicalJson(e));
    proofs += proofLine(e.seq, inclusionProof(e.seq - 1, leaves));
    csv += csvLine(e as never, leaf);
  }
  const kid = toHex(keyId(key.name, key.publicKey));
  const manifest = formatManifest({
    format: BUNDLE_FORMAT,
    bundleId: "b-1",
    createdAt: "2026-11-27T12:00:00.000Z",
    createdBy: "auditor@example.com",
    origin,
    filter,
    count: selected.length,
    firstSeq: selected[0]?.seq ?? 0,
    lastSeq: selected.at(-1)?.seq ?? 0,
    checkpoint: { treeSize: log.length, rootHash: toBase64(root) },
    keyId: kid,
  });
  const files = new Map<string, Uint8Array>([
    [
      BUNDLE_FILES.verify,
      utf8(
        formatVerifyText({
          bundleId: "b-1",
          origin,
          count: selected.length,
          treeSize: log.length,
          keyId: kid,
          verifierKey: verifierKeyString(key.name, key.publicKey),
          fingerprint: keyFingerprint(key.publicKey),
        }),
      ),
    ],
    [BUNDLE_FILES.manifest, utf8(manifest)],
    [BUNDLE_FILES.checkpoint, utf8(checkpoint)],
    [BUNDLE_FILES.key, utf8(publicKeyToPem(key.publicKey))],
    [BUNDLE_FILES.events, utf8(events)],
    [BUNDLE_FILES.proofs, utf8(proofs)],
    [BUNDLE_FILES.csv, utf8(csv)],
  ]);
  reseal(files, key.seed);
  return { files, key, log, leaves, root, verifierKey: verifierKeyString(key.name, key.publicKey) };
}

/** Recomputes SHA256SUMS over every file but itself and the signature, and signs it with `seed`. */
export function reseal(files: Map<string, Uint8Array>, seed: Uint8Array): void {
  const hashes = [...files.entries()]
    .filter(([name]) => name !== BUNDLE_FILES.sums && name !== BUNDLE_FILES.sig)
    .map(([name, data]) => ({ name, sha256Hex: toHex(sha256(data)) }));
  const sums = utf8(formatSums(hashes));
  files.set(BUNDLE_FILES.sums, sums);
  files.set(BUNDLE_FILES.sig, ed25519.sign(sums, seed));
}

/** The files as a ZIP (deflated, Unix regular-file modes), in bundle order. */
export function zipFiles(files: Map<string, Uint8Array>): Uint8Array {
  const z: Zippable = {};
  const names = [
    ...BUNDLE_FILE_ORDER.filter((n) => files.has(n)),
    ...[...files.keys()].filter((n) => !BUNDLE_FILE_ORDER.includes(n)),
  ];
  for (const n of names) z[n] = [files.get(n)!, { os: 3, attrs: 0o100644 << 16 }];
  return zipSync(z, { level: 6, mtime: new Date(Date.UTC(2026, 10, 27)) });
}
