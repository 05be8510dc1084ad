import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesEqual, fromBase64, toBase64, toHex, utf8 } from "../bytes.ts";
import { canonicalJson } from "../canonical-json.ts";
import { matchesFilter, type EventFilter, type FilterableEntry } from "../event-filter.ts";
import { hashLeaf, sha256 } from "../hash.ts";
import { verifyInclusion } from "../merkle.ts";
import { keyFingerprint, keyId, openNote, parseCheckpoint, parseVerifierKey, pemToPublicKey } from "../note.ts";
import { readZip, type ZipLimits } from "../zip/read.ts";
import {
  BUNDLE_FILES,
  BUNDLE_FILE_ORDER,
  BUNDLE_FORMAT,
  csvHeader,
  csvLine,
  eventLine,
  parseSums,
  proofLine,
  type BundleManifest,
} from "./format.ts";

// The offline verifier of an evidence bundle (SPEC §5): the CLI, the browser page and
// the tests all run this one function. Each of the five SPEC conditions is a check of
// its own, plus "zip" (the archive is safe to read) and "key" (the signing key is the
// one the caller expects). It returns a verdict per check and never throws.

export type CheckId = "zip" | "signature" | "checksums" | "checkpoint" | "entries" | "manifest" | "key";

export type BundleCheck = {
  id: CheckId;
  /** "zip", "1"…"5", or "key". */
  label: string;
  title: string;
  status: "pass" | "fail" | "skip";
  detail: string;
  firstBadSeq?: number;
};

/**
 * "verified": every check passed and the signing key is the one the caller pinned.
 * "unpinned": every check passed, but no key was pinned — the bundle is consistent
 * and signed by *its own* key, which is exactly what anyone holding any key (the
 * operator included) could produce; it is not evidence until the key is compared.
 * "failed": a check failed.
 */
export type BundleVerdict = "verified" | "unpinned" | "failed";

export type BundleReport = {
  /** True only when verified: consistent *and* signed by the pinned key. */
  ok: boolean;
  verdict: BundleVerdict;
  /** The first failing check's detail, or why it is unpinned (null when verified). */
  reason: string | null;
  /** The lowest seq a failing check names, if any. */
  firstBadSeq: number | null;
  checks: BundleCheck[];
  manifest: BundleManifest | null;
  key: { fingerprint: string; keyId: string | null } | null;
};

export type VerifyBundleOptions = {
  /**
   * The key(s) the caller trusts — verifier key strings (`name+id+base64`) or SPKI
   * PEMs; the bundle must be signed by one of them. Without one the best verdict is
   * "unpinned", never "verified".
   */
  key?: string | string[];
  limits?: Partial<ZipLimits>;
  /** Called every few thousand entries; awaited, so a browser can yield to the UI. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
};

const TITLES: Record<CheckId, [string, string]> = {
  zip: ["zip", "the archive is a plain ZIP of top-level files, safe to read"],
  signature: ["1", "SHA256SUMS.sig is public-key.pem's Ed25519 signature over SHA256SUMS"],
  checksums: ["2", "sha256sum -c SHA256SUMS passes and it lists every file but itself and the signature"],
  checkpoint: ["3", "checkpoint.txt is signed by the same key and matches manifest.json"],
  entries: ["4", "every entry hashes to its leafHash and its proof includes it in the checkpoint's tree"],
  manifest: [
    "5",
    "count, firstSeq, lastSeq and order match the manifest; every entry matches its filter; events.csv is the same entries",
  ],
  key: ["key", "the signing key is the one you trust"],
};

const PROGRESS_EVERY = 2000;
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

class Fail extends Error {
  constructor(
    message: string,
    readonly firstBadSeq?: number,
  ) {
    super(message);
  }
}

function check(id: CheckId, status: BundleCheck["status"], detail: string, firstBadSeq?: number): BundleCheck {
  const [label, title] = TITLES[id];
  return { id, label, title, status, detail, ...(firstBadSeq !== undefined ? { firstBadSeq } : {}) };
}

function decode(b: Uint8Array, what: string): string {
  try {
    return utf8Strict.decode(b);
  } catch {
    throw new Fail(`${what} is not valid UTF-8`);
  }
}

/** The lines of a newline-terminated text file, without decoding all of it into one string. */
function* lines(b: Uint8Array, what: string): Generator<string> {
  if (b.length > 0 && b[b.length - 1] !== 0x0a) throw new Fail(`${what} does not end with a newline`);
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) {
      yield decode(b.subarray(start, i), `${what} line`);
      start = i + 1;
    }
  }
}

function countLines(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) n++;
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function exactKeys(o: Record<string, unknown>, keys: string[]): boolean {
  const k = Object.keys(o);
  return k.length === keys.length && keys.every((x) => Object.prototype.hasOwnProperty.call(o, x));
}

const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

const FILTER_STRINGS = ["from", "to", "requester", "target", "service", "source", "action", "correlationId", "q"];
const FILTER_LISTS = ["eventType", "outcome", "requesterType"];
const FILTER_NUMBERS = ["seqFrom", "seqTo"];

function filterProblem(f: unknown): string | null {
  if (!isObject(f)) return "filter is not an object";
  for (const [k, v] of Object.entries(f)) {
    if (FILTER_STRINGS.includes(k)) {
      if (typeof v !== "string") return `filter.${k} is not a string`;
    } else if (FILTER_LISTS.includes(k)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) return `filter.${k} is not a list of strings`;
    } else if (FILTER_NUMBERS.includes(k)) {
      if (!isSeq(v)) return `filter.${k} is not a positive integer`;
    } else {
      return `filter has an unknown field ${JSON.stringify(k)} (a newer bundle format?)`;
    }
  }
  return null;
}

function parseManifest(b: Uint8Array | undefined): { manifest: BundleManifest | null; problem: string | null } {
  if (!b) return { manifest: null, problem: "manifest.json is missing" };
  let m: unknown;
  try {
    m = JSON.parse(decode(b, "manifest.json"));
  } catch (e) {
    return { manifest: null, problem: e instanceof Fail ? e.message : "manifest.json is not valid JSON" };
  }
  if (!isObject(m)) return { manifest: null, problem: "manifest.json is not a JSON object" };
  if (m.format !== BUNDLE_FORMAT)
    return { manifest: null, problem: `manifest.format is ${JSON.stringify(m.format)}, not "${BUNDLE_FORMAT}"` };
  for (const k of ["bundleId", "createdAt", "createdBy", "origin", "keyId"]) {
    if (typeof m[k] !== "string") return { manifest: null, problem: `manifest.${k} is missing or not a string` };
  }
  for (const k of ["count", "firstSeq", "lastSeq"]) {
    if (!isCount(m[k])) return { manifest: null, problem: `manifest.${k} is missing or not a non-negative integer` };
  }
  const cp = m.checkpoint;
  if (!isObject(cp) || !isCount(cp.treeSize) || typeof cp.rootHash !== "string") {
    return { manifest: null, problem: "manifest.checkpoint must be {treeSize, rootHash}" };
  }
  const fp = filterProblem(m.filter);
  if (fp) return { manifest: m as unknown as BundleManifest, problem: `manifest.${fp}` };
  return { manifest: m as unknown as BundleManifest, problem: null };
}

function toFileMap(input: Uint8Array | Map<string, Uint8Array> | Record<string, Uint8Array>): Map<string, Uint8Array> {
  return input instanceof Map ? input : new Map(Object.entries(input as Record<string, Uint8Array>));
}

/** The names on a signed note's signature lines (for finding which key name to try). */
function signatureNames(note: string): string[] {
  const i = note.lastIndexOf("\n\n");
  if (i < 0) return [];
  return [
    ...new Set(
      note
        .slice(i + 2)
        .split("\n")
        .filter((l) => l.startsWith("\u2014 "))
        .map((l) => l.slice(2).split(" ")[0]!)
        .filter(Boolean),
    ),
  ];
}

function parseTrustedKey(key: string): { publicKey: Uint8Array; name: string | null } {
  const s = key.trim();
  if (s.startsWith("-----BEGIN")) return { publicKey: pemToPublicKey(s), name: null };
  const v = parseVerifierKey(s);
  return { publicKey: v.publicKey, name: v.name };
}

/**
 * The "key" check: the bundle's key is one of the keys the caller pinned (a
 * deployment's current and retired keys, say), and when a pinned key carries a
 * name, the checkpoint's key id is that name's — so a key published for another
 * log cannot stand in.
 */
function checkPinnedKey(pinned: string[], publicKey: Uint8Array | null, signerKeyId: string | null): BundleCheck {
  const trusted: { publicKey: Uint8Array; name: string | null }[] = [];
  for (const k of pinned) {
    try {
      trusted.push(parseTrustedKey(k));
    } catch (e) {
      return check(
        "key",
        "fail",
        `the key you gave (${k.slice(0, 40)}…) is neither a verifier key string nor an Ed25519 PEM (${(e as Error).message})`,
      );
    }
  }
  if (trusted.length === 0) return check("key", "fail", "no trusted key was given");
  if (!publicKey) return check("key", "fail", "the bundle has no usable public key");
  const match = trusted.find((t) => bytesEqual(t.publicKey, publicKey));
  if (!match) {
    const yours = trusted.map((t) => keyFingerprint(t.publicKey)).join(", ");
    return check(
      "key",
      "fail",
      `the bundle is signed by ${keyFingerprint(publicKey)}, not by a key you trust (${yours})`,
    );
  }
  if (match.name !== null && signerKeyId !== null && toHex(keyId(match.name, match.publicKey)) !== signerKeyId) {
    return check("key", "fail", `the checkpoint is signed under key id ${signerKeyId}, not ${match.name}'s`);
  }
  return check("key", "pass", `signed by the key you trust (${keyFingerprint(publicKey)})`);
}

/**
 * Verifies an evidence bundle — the ZIP's bytes, or its files by name — against SPEC §5.
 * Invariants: never throws; `ok` is true (verdict "verified") only when the zip check,
 * checks 1–5 and the key check pass — so only with `opts.key`; every failing check names
 * why (and for entries, the first bad seq). Without `opts.key`, the key check is "skip",
 * the verdict at best "unpinned", and the report's fingerprint must be compared out of band.
 */
export async function verifyBundle(
  input: Uint8Array | Map<string, Uint8Array> | Record<string, Uint8Array>,
  opts: VerifyBundleOptions = {},
): Promise<BundleReport> {
  try {
    return await verifyUnsafe(input, opts);
  } catch (e) {
    // A bug or an exotic input must still come back as a verdict, never as a pass.
    const c = check("zip", "fail", `verification stopped: ${(e as Error)?.message ?? String(e)}`);
    return report([c], null, null);
  }
}

async function verifyUnsafe(
  input: Uint8Array | Map<string, Uint8Array> | Record<string, Uint8Array>,
  opts: VerifyBundleOptions,
): Promise<BundleReport> {
  const checks: BundleCheck[] = [];
  let files: Map<string, Uint8Array>;
  if (input instanceof Uint8Array) {
    const z = readZip(input, opts.limits);
    if (!z.ok) {
      checks.push(check("zip", "fail", `refused: ${z.reason}`));
      for (const id of ["signature", "checksums", "checkpoint", "entries", "manifest", "key"] as CheckId[]) {
        checks.push(check(id, "skip", "not checked: the archive was refused"));
      }
      return report(checks, null, null);
    }
    files = z.files;
    checks.push(check("zip", "pass", `${files.size} top-level files, no folders or links, sizes within limits`));
  } else {
    files = toFileMap(input);
    checks.push(check("zip", "pass", `${files.size} files given directly (no archive to check)`));
  }

  // 1. The signature over SHA256SUMS.
  const sums = files.get(BUNDLE_FILES.sums);
  const sig = files.get(BUNDLE_FILES.sig);
  const pem = files.get(BUNDLE_FILES.key);
  let publicKey: Uint8Array | null = null;
  let keyProblem: string | null = null;
  if (pem) {
    try {
      publicKey = pemToPublicKey(decode(pem, BUNDLE_FILES.key));
    } catch (e) {
      keyProblem = `public-key.pem is not an Ed25519 public key (${(e as Error).message})`;
    }
  } else keyProblem = "public-key.pem is missing";
  if (keyProblem) checks.push(check("signature", "fail", keyProblem));
  else if (!sums) checks.push(check("signature", "fail", "SHA256SUMS is missing"));
  else if (!sig) checks.push(check("signature", "fail", "SHA256SUMS.sig is missing"));
  else if (sig.length !== 64)
    checks.push(
      check("signature", "fail", `SHA256SUMS.sig is ${sig.length} bytes, not a raw 64-byte Ed25519 signature`),
    );
  else {
    let good = false;
    try {
      good = ed25519.verify(sig, sums, publicKey!, { zip215: false });
    } catch {
      good = false;
    }
    checks.push(
      good
        ? check("signature", "pass", "Signature Verified Successfully")
        : check(
            "signature",
            "fail",
            "the signature does not match SHA256SUMS under public-key.pem: SHA256SUMS or the signature was changed",
          ),
    );
  }

  // 2. Every file against SHA256SUMS, and SHA256SUMS against the file set.
  checks.push(checkSums(files, sums));

  // 3. The checkpoint.
  const { manifest, problem: manifestProblem } = parseManifest(files.get(BUNDLE_FILES.manifest));
  const cpBytes = files.get(BUNDLE_FILES.checkpoint);
  let tree: { size: number; rootHash: Uint8Array } | null = null;
  let cpProblem: string | null = null;
  let signerKeyId: string | null = null;
  let cpText = "";
  if (!cpBytes) cpProblem = "checkpoint.txt is missing";
  else {
    try {
      cpText = decode(cpBytes, "checkpoint.txt");
      const split = cpText.lastIndexOf("\n\n");
      if (split < 0) throw new Error("no blank line before the signatures");
      const parsed = parseCheckpoint(cpText.slice(0, split + 1));
      tree = { size: parsed.size, rootHash: parsed.rootHash };
      if (manifest && parsed.origin !== manifest.origin)
        cpProblem = `checkpoint origin ${JSON.stringify(parsed.origin)} is not manifest.origin ${JSON.stringify(manifest.origin)}`;
    } catch (e) {
      cpProblem = `checkpoint.txt is not a checkpoint (${(e as Error).message})`;
    }
  }
  if (!cpProblem && !publicKey) cpProblem = "no usable public-key.pem to check the checkpoint's signature with";
  if (!cpProblem && publicKey) {
    let opened = false;
    for (const name of signatureNames(cpText)) {
      try {
        const r = openNote(cpText, [{ name, publicKey }]);
        if (r.ok) {
          opened = true;
          signerKeyId = r.verified[0]!.keyId;
          break;
        }
      } catch {
        // an invalid key name on a signature line: try the next one
      }
    }
    if (!opened) cpProblem = "checkpoint.txt has no valid signature by public-key.pem";
  }
  if (!cpProblem) {
    if (!manifest) cpProblem = `cannot compare with the manifest: ${manifestProblem}`;
    else if (signerKeyId !== manifest.keyId)
      cpProblem = `the checkpoint's key id ${signerKeyId} is not manifest.keyId ${manifest.keyId}`;
    else if (tree!.size !== manifest.checkpoint.treeSize)
      cpProblem = `checkpoint tree size ${tree!.size} is not manifest.checkpoint.treeSize ${manifest.checkpoint.treeSize}`;
    else if (toBase64(tree!.rootHash) !== manifest.checkpoint.rootHash)
      cpProblem = "the checkpoint's root hash is not manifest.checkpoint.rootHash";
  }
  checks.push(
    cpProblem
      ? check("checkpoint", "fail", cpProblem)
      : check("checkpoint", "pass", `tree size ${tree!.size}, signed by key ${signerKeyId}`),
  );

  // 4 and 5 in one pass over the entries.
  const [entriesCheck, manifestCheck] = await checkEntries(files, tree, manifest, manifestProblem, opts);
  checks.push(entriesCheck, manifestCheck);

  // The key itself: only the caller can say which key to trust.
  let keyInfo: BundleReport["key"] = null;
  if (publicKey) keyInfo = { fingerprint: keyFingerprint(publicKey), keyId: signerKeyId ?? manifest?.keyId ?? null };
  if (opts.key === undefined) {
    checks.push(
      check(
        "key",
        "skip",
        publicKey
          ? `not pinned: compare the fingerprint ${keyInfo!.fingerprint} with the one the deployment publishes (GET /api/v1/keys), out of band`
          : "no public key in the bundle",
      ),
    );
  } else {
    checks.push(checkPinnedKey(typeof opts.key === "string" ? [opts.key] : opts.key, publicKey, signerKeyId));
  }
  return report(checks, manifest, keyInfo);
}

const UNPINNED_REASON =
  "consistent but unpinned: every check passed against the key the bundle carries, but no trusted key was given — pin the deployment's published key (--key) to verify";

function report(checks: BundleCheck[], manifest: BundleManifest | null, key: BundleReport["key"]): BundleReport {
  const consistent = checks.every((c) => c.status === "pass" || (c.id === "key" && c.status === "skip"));
  const pinned = checks.some((c) => c.id === "key" && c.status === "pass");
  const verdict: BundleVerdict = !consistent ? "failed" : pinned ? "verified" : "unpinned";
  const failed = checks.filter((c) => c.status === "fail");
  const seqs = failed.map((c) => c.firstBadSeq).filter((s): s is number => s !== undefined);
  return {
    ok: verdict === "verified",
    verdict,
    reason:
      verdict === "verified" ? null : verdict === "unpinned" ? UNPINNED_REASON : (failed[0]?.detail ?? "not verified"),
    firstBadSeq: seqs.length ? Math.min(...seqs) : null,
    checks,
    manifest,
    key,
  };
}

function checkSums(files: Map<string, Uint8Array>, sums: Uint8Array | undefined): BundleCheck {
  if (!sums) return check("checksums", "fail", "SHA256SUMS is missing");
  let listed: Map<string, string>;
  try {
    listed = parseSums(decode(sums, "SHA256SUMS"));
  } catch (e) {
    return check("checksums", "fail", `SHA256SUMS is malformed: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  for (const [name, hex] of listed) {
    const f = files.get(name);
    if (name === BUNDLE_FILES.sums || name === BUNDLE_FILES.sig) problems.push(`${name}: must not be listed`);
    else if (!f) problems.push(`${name}: FAILED open or read (missing from the bundle)`);
    else if (toHex(sha256(f)) !== hex) problems.push(`${name}: FAILED (content differs from its checksum)`);
  }
  for (const name of files.keys()) {
    if (name !== BUNDLE_FILES.sums && name !== BUNDLE_FILES.sig && !listed.has(name))
      problems.push(`${name}: not listed in SHA256SUMS`);
  }
  for (const name of BUNDLE_FILE_ORDER)
    if (!files.has(name) && !listed.has(name)) problems.push(`${name}: missing from the bundle`);
  for (const name of files.keys())
    if (!BUNDLE_FILE_ORDER.includes(name)) problems.push(`${name}: not a file a bundle holds (extra file)`);
  if (problems.length) return check("checksums", "fail", [...new Set(problems)].join("; "));
  return check("checksums", "pass", `${listed.size} files: OK`);
}

async function checkEntries(
  files: Map<string, Uint8Array>,
  tree: { size: number; rootHash: Uint8Array } | null,
  manifest: BundleManifest | null,
  manifestProblem: string | null,
  opts: VerifyBundleOptions,
): Promise<[BundleCheck, BundleCheck]> {
  const events = files.get(BUNDLE_FILES.events);
  const proofs = files.get(BUNDLE_FILES.proofs);
  const csv = files.get(BUNDLE_FILES.csv);
  let entriesFail: Fail | null = null;
  let manifestFail: Fail | null = manifestProblem ? new Fail(manifestProblem) : null;
  if (!events) {
    const f = new Fail("events.jsonl is missing");
    return [check("entries", "fail", f.message), check("manifest", "fail", manifestFail?.message ?? f.message)];
  }
  if (!proofs) entriesFail = new Fail("proofs.jsonl is missing");
  else if (!tree) entriesFail = new Fail("no usable checkpoint to check the proofs against (see check 3)");
  if (!csv && !manifestFail) manifestFail = new Fail("events.csv is missing");

  const total = countLines(events);
  const proofIter = proofs ? lines(proofs, "proofs.jsonl") : null;
  const csvExpected = csv ? csvHeader() : "";
  let csvOffset = 0;
  const csvMatch = (text: string): boolean => {
    if (!csv) return false;
    const b = utf8(text);
    if (csvOffset + b.length > csv.length) return false;
    for (let i = 0; i < b.length; i++) if (csv[csvOffset + i] !== b[i]) return false;
    csvOffset += b.length;
    return true;
  };
  if (csv && !manifestFail && !csvMatch(csvExpected))
    manifestFail = new Fail("events.csv does not start with the expected header row");

  let n = 0;
  let firstSeq = 0;
  let lastSeq = 0;
  try {
    for (const line of lines(events, "events.jsonl")) {
      n++;
      let seq: number | undefined;
      let entry: Record<string, unknown> | undefined;
      let leafB64: string | undefined;
      // Check 4: the line, its leaf hash and its proof.
      try {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new Fail(`events.jsonl line ${n} is not valid JSON`);
        }
        if (
          !isObject(parsed) ||
          !exactKeys(parsed, ["seq", "leafHash", "entry"]) ||
          !isSeq(parsed.seq) ||
          typeof parsed.leafHash !== "string" ||
          !isObject(parsed.entry)
        ) {
          throw new Fail(`events.jsonl line ${n} is not {"seq","leafHash","entry"}`);
        }
        seq = parsed.seq;
        entry = parsed.entry;
        leafB64 = parsed.leafHash;
        let jcs: string;
        try {
          jcs = canonicalJson(entry);
        } catch (e) {
          throw new Fail(`entry seq ${seq}: ${(e as Error).message}`, seq);
        }
        if (eventLine(seq, leafB64, jcs) !== `${line}\n`)
          throw new Fail(`events.jsonl line ${n} (seq ${seq}) is not in canonical form`, seq);
        if (entry.seq !== seq)
          throw new Fail(`events.jsonl line ${n}: entry.seq ${String(entry.seq)} is not seq ${seq}`, seq);
        const leaf = hashLeaf(utf8(jcs));
        if (toBase64(leaf) !== leafB64)
          throw new Fail(`entry seq ${seq} does not hash to its leafHash (the entry or the hash was changed)`, seq);
        if (!entriesFail && proofIter) {
          const p = proofIter.next();
          if (p.done)
            throw new Fail(`proofs.jsonl has no line for seq ${seq} (it has fewer lines than events.jsonl)`, seq);
          checkProof(p.value, n, seq, leaf, tree!);
        }
      } catch (e) {
        if (!(e instanceof Fail)) throw e;
        entriesFail ??= e;
      }
      // Check 5: order, bounds, filter, CSV.
      if (!manifestFail) {
        if (seq === undefined || entry === undefined)
          manifestFail = new Fail(`events.jsonl line ${n} is unreadable (see check 4)`);
        else {
          if (n === 1) firstSeq = seq;
          else if (seq <= lastSeq)
            manifestFail = new Fail(`seq ${seq} follows seq ${lastSeq}: seqs must strictly increase`, seq);
          lastSeq = seq;
          if (
            !manifestFail &&
            !matchesFilter(entry as unknown as FilterableEntry, manifest!.filter as EventFilter, canonicalJson)
          ) {
            manifestFail = new Fail(`entry seq ${seq} does not match the manifest's filter`, seq);
          }
          if (!manifestFail) {
            let row: string | null = null;
            try {
              row = csvLine(entry as unknown as Parameters<typeof csvLine>[0], leafB64!);
            } catch {
              row = null;
            }
            if (row === null || !csvMatch(row))
              manifestFail = new Fail(`events.csv row ${n + 1} is not entry seq ${seq} (the CSV was changed)`, seq);
          }
        }
      }
      if (n % PROGRESS_EVERY === 0) await opts.onProgress?.(n, total);
    }
    if (!entriesFail && proofIter && !proofIter.next().done)
      entriesFail = new Fail("proofs.jsonl has more lines than events.jsonl");
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    entriesFail ??= e;
    manifestFail ??= new Fail(`events.jsonl is unreadable (${e.message})`);
  }
  await opts.onProgress?.(n, total);

  if (!manifestFail && manifest) {
    if (manifest.count !== n)
      manifestFail = new Fail(`manifest.count is ${manifest.count} but events.jsonl has ${n} entries`);
    else if (manifest.firstSeq !== firstSeq)
      manifestFail = new Fail(`manifest.firstSeq is ${manifest.firstSeq} but the first entry is seq ${firstSeq}`);
    else if (manifest.lastSeq !== lastSeq)
      manifestFail = new Fail(`manifest.lastSeq is ${manifest.lastSeq} but the last entry is seq ${lastSeq}`);
    else if (csv && csvOffset !== csv.length)
      manifestFail = new Fail("events.csv has rows that are not in events.jsonl");
  }
  return [
    entriesFail
      ? check("entries", "fail", entriesFail.message, entriesFail.firstBadSeq)
      : check(
          "entries",
          "pass",
          `${n} entries: leaf hashes and inclusion proofs valid against tree size ${tree?.size}`,
        ),
    manifestFail
      ? check("manifest", "fail", manifestFail.message, manifestFail.firstBadSeq)
      : check(
          "manifest",
          "pass",
          n ? `${n} entries, seq ${firstSeq}…${lastSeq}, all matching the filter` : "no entries, as the manifest says",
        ),
  ];
}

function checkProof(
  line: string,
  n: number,
  seq: number,
  leaf: Uint8Array,
  tree: { size: number; rootHash: Uint8Array },
): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Fail(`proofs.jsonl line ${n} is not valid JSON`, seq);
  }
  if (
    !isObject(parsed) ||
    !exactKeys(parsed, ["seq", "path"]) ||
    !Array.isArray(parsed.path) ||
    parsed.path.some((p) => typeof p !== "string")
  ) {
    throw new Fail(`proofs.jsonl line ${n} is not {"seq","path":[…]}`, seq);
  }
  if (parsed.seq !== seq)
    throw new Fail(`proofs.jsonl line ${n} is for seq ${String(parsed.seq)}, not seq ${seq}`, seq);
  const pathB64 = parsed.path as string[];
  if (proofLine(seq, pathB64) !== `${line}\n`)
    throw new Fail(`proofs.jsonl line ${n} (seq ${seq}) is not in canonical form`, seq);
  let path: Uint8Array[];
  try {
    path = pathB64.map((p) => fromBase64(p));
  } catch {
    throw new Fail(`the proof of seq ${seq} has an element that is not base64`, seq);
  }
  if (seq > tree.size) throw new Fail(`seq ${seq} is beyond the checkpoint's tree size ${tree.size}`, seq);
  if (!verifyInclusion(seq - 1, tree.size, leaf, path, tree.rootHash)) {
    throw new Fail(`the inclusion proof of seq ${seq} does not lead to the checkpoint's root`, seq);
  }
}
