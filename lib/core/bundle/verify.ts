import { defaultHasher, type LogHasher } from "../hash.ts";
import { keyFingerprint } from "../note.ts";
import { bytesSource, type ZipLimits, type ZipSource } from "../zip/read.ts";
import { filesFromZip, filesInMemory, type BundleFiles, type StreamHash } from "./bundle-files.ts";
import { BUNDLE_FILES, type BundleManifest } from "./format.ts";
import { checkCheckpoint } from "./verify-checkpoint.ts";
import { checkEntries } from "./verify-entries.ts";
import type { PersonalReport } from "./verify-disclosures.ts";
import { checkKey } from "./verify-key.ts";
import { check, decode, type BundleCheck, type CheckId } from "./verify-kit.ts";
import { parseManifest } from "./verify-manifest.ts";
import { bundleKey, checkSignature, checkSums } from "./verify-sums.ts";
import { checkWitnesses } from "./verify-witnesses.ts";
import type { Policy } from "../tlog/index.ts";

// The offline verifier of an evidence bundle (SPEC §5): the CLI, the browser page and
// the tests all run this one function. Each of the five SPEC conditions is a check of
// its own (one function each: verify-sums.ts, verify-checkpoint.ts, verify-entries.ts),
// plus "zip" (the archive is safe to read) and "key" (the signing key is the one the
// caller expects, verify-key.ts). It returns a verdict per check and never throws.

export type { BundleCheck, CheckId } from "./verify-kit.ts";
export type { PersonalReport } from "./verify-disclosures.ts";

/**
 * "verified": every check passed and the signing key is the one the caller pinned.
 * "unpinned": every check passed, but no key was pinned — the bundle is consistent
 * and signed by *its own* key, which is exactly what anyone holding any key (the
 * operator included) could produce; it is not evidence until the key is compared.
 * "no-quorum": every check passed, but the witnesses the caller pinned did not reach their
 * quorum on checkpoint.txt (and none of their lines was forged).
 * "failed": a check failed.
 */
export type BundleVerdict = "verified" | "unpinned" | "no-quorum" | "failed";

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
  /** What the verifier trusted and why: pinned log keys (and keys chained from them), pinned witnesses. */
  trusted: string[];
  /** checkpoint.txt's cosignature lines, and which pinned witnesses (labels) signed validly. */
  witnesses: { lines: number; cosigned: string[] };
  /**
   * The v2 entries' personal fields: per pointer how many entries disclosed (value + salt opening the
   * commitment), withheld or had erased it, and entries whose filter match is not checkable offline.
   */
  personal: PersonalReport;
};

export type VerifyBundleOptions = {
  /**
   * The key(s) the caller trusts — verifier key strings (`name+id+base64`) or SPKI
   * PEMs; the bundle must be signed by one of them. Without one the best verdict is
   * "unpinned", never "verified". Rotation statements in the manifest lead from a pinned
   * verifier key to later keys.
   */
  key?: string | string[];
  /** The witnesses the caller trusts and their quorum (lib/core/pins.ts): a quorum pins like a key. */
  witnesses?: Policy | null;
  /**
   * Witnesses to count for information only (report.witnesses.cosigned): the /verify page's list
   * of this deployment's witnesses, served by the very operator a bundle must be checked against,
   * so they label the bundle but never pin it. Ignored when `witnesses` is given.
   */
  countWitnesses?: Policy | null;
  /** POSIX seconds: cosignatures dated more than five minutes later are refused. */
  now?: number;
  limits?: Partial<ZipLimits>;
  /** Called every few thousand entries; awaited, so a browser can yield to the UI. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** The SHA-256 for checksums, leaf hashes and proofs; the pure default unless a host passes a faster one. */
  hasher?: LogHasher;
  /** An incremental SHA-256 for the files' checksums (streamed); the pure default unless a host passes a faster one. */
  streamHash?: StreamHash;
};

/** The ZIP's bytes, a ZIP read piece by piece (`{size, read}`: the CLI streams a file of any size), or the files by name. */
type BundleInput = Uint8Array | ZipSource | Map<string, Uint8Array> | Record<string, Uint8Array>;

/**
 * Verifies an evidence bundle — the ZIP's bytes, or its files by name — against SPEC §5.
 * Invariants: never throws; `ok` is true (verdict "verified") only when the zip check,
 * checks 1–5 and the key check pass — so only with `opts.key`; every failing check names
 * why (and for entries, the first bad seq). Without `opts.key`, the key check is "skip",
 * the verdict at best "unpinned", and the report's fingerprint must be compared out of band.
 */
export async function verifyBundle(input: BundleInput, opts: VerifyBundleOptions = {}): Promise<BundleReport> {
  try {
    return await verifyUnsafe(input, opts);
  } catch (e) {
    // A bug or an exotic input must still come back as a verdict, never as a pass.
    const c = check("zip", "fail", `verification stopped: ${(e as Error)?.message ?? String(e)}`);
    return report([c], null, null, NO_TRUST);
  }
}

const isSource = (v: unknown): v is ZipSource =>
  typeof (v as ZipSource).read === "function" && typeof (v as ZipSource).size === "number";

/** The zip check: the files of a safe archive, or of the map given directly. */
function openBundle(input: BundleInput, opts: VerifyBundleOptions): { files: BundleFiles | null; check: BundleCheck } {
  if (!(input instanceof Uint8Array) && !isSource(input)) {
    const files = input instanceof Map ? input : new Map(Object.entries(input as Record<string, Uint8Array>));
    return {
      files: filesInMemory(files, opts.streamHash),
      check: check("zip", "pass", `${files.size} files given directly (no archive to check)`),
    };
  }
  const z = filesFromZip(input instanceof Uint8Array ? bytesSource(input) : input, opts.limits, opts.streamHash);
  if (!z.ok) return { files: null, check: check("zip", "fail", `refused: ${z.reason}`) };
  const detail = `${z.files.names().length} top-level files, no folders or links, sizes within limits`;
  return { files: z.files, check: check("zip", "pass", detail) };
}

async function verifyUnsafe(input: BundleInput, opts: VerifyBundleOptions): Promise<BundleReport> {
  const opened = openBundle(input, opts);
  const files = opened.files;
  if (!files) {
    const skipped = (
      ["signature", "checksums", "checkpoint", "entries", "manifest", "key", "witnesses"] as CheckId[]
    ).map((id) => check(id, "skip", "not checked: the archive was refused"));
    return report([opened.check, ...skipped], null, null, NO_TRUST);
  }
  const key = bundleKey(files);
  const signature = checkSignature(files, key);
  const hasher = opts.hasher ?? defaultHasher;
  const sums = checkSums(files);
  const manifest = parseManifest(files.get(BUNDLE_FILES.manifest));
  const cp = checkCheckpoint(files, key.publicKey, manifest);
  const [entries, listing, personal] = await checkEntries(files, cp.tree, manifest, hasher, opts.onProgress);
  const m = manifest.manifest;
  const pinned = opts.key === undefined ? undefined : typeof opts.key === "string" ? [opts.key] : opts.key;
  const keyCheck = checkKey(
    pinned,
    { publicKey: key.publicKey, signerKeyId: cp.signerKeyId },
    { statements: m?.keyRotations ?? [], origin: m?.origin ?? null },
  );
  const text = checkpointText(files);
  const ctx = { manifest: m, logKeyId: cp.signerKeyId, now: opts.now };
  const wit = checkWitnesses(text, opts.witnesses, ctx);
  // Counted, never trusted: only the cosigned names are kept, the check stays as it was.
  if (!opts.witnesses && opts.countWitnesses) wit.cosigned = checkWitnesses(text, opts.countWitnesses, ctx).cosigned;
  const keyInfo = key.publicKey
    ? { fingerprint: keyFingerprint(key.publicKey), keyId: cp.signerKeyId ?? m?.keyId ?? null }
    : null;
  const checks = [opened.check, signature, sums, cp.check, entries, listing, keyCheck.check, wit.check];
  return report(checks, m, keyInfo, {
    trusted: [...keyCheck.trusted, ...wit.trusted],
    witnesses: { lines: wit.lines, cosigned: wit.cosigned },
    noQuorum: wit.noQuorum,
    personal,
  });
}

function checkpointText(files: BundleFiles): string | null {
  const b = files.get(BUNDLE_FILES.checkpoint);
  try {
    return b ? decode(b, "checkpoint.txt") : null;
  } catch {
    return null;
  }
}

type Trusted = Pick<BundleReport, "trusted" | "witnesses" | "personal"> & { noQuorum: boolean };
const NO_PERSONAL: PersonalReport = {
  file: false,
  withheldClaim: [],
  fields: [],
  filterUncheckable: { count: 0, firstSeqs: [] },
};
const NO_TRUST: Trusted = {
  trusted: [],
  witnesses: { lines: 0, cosigned: [] },
  noQuorum: false,
  personal: NO_PERSONAL,
};

const UNPINNED_REASON =
  "consistent but unpinned: every check passed against the key the bundle carries, but no trusted key or witness was given — pin the deployment's published key (--key) or its witnesses (--witness … --quorum N) to verify";

function verdictOf(checks: BundleCheck[], noQuorum: boolean): BundleVerdict {
  const pinCheck = (c: BundleCheck) => c.id === "key" || c.id === "witnesses";
  const consistent = checks.every(
    (c) => c.status === "pass" || (pinCheck(c) && c.status === "skip") || (c.id === "witnesses" && noQuorum),
  );
  if (!consistent) return "failed";
  if (noQuorum) return "no-quorum";
  return checks.some((c) => pinCheck(c) && c.status === "pass") ? "verified" : "unpinned";
}

function report(
  checks: BundleCheck[],
  manifest: BundleManifest | null,
  key: BundleReport["key"],
  trust: Trusted,
): BundleReport {
  const verdict = verdictOf(checks, trust.noQuorum);
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
    trusted: trust.trusted,
    witnesses: trust.witnesses,
    personal: trust.personal,
  };
}
