import { defaultHasher, type LogHasher } from "../hash.ts";
import { keyFingerprint } from "../note.ts";
import { bytesSource, type ZipLimits, type ZipSource } from "../zip/read.ts";
import { filesFromZip, filesInMemory, type BundleFiles, type StreamHash } from "./bundle-files.ts";
import { BUNDLE_FILES, type BundleManifest } from "./format.ts";
import { checkCheckpoint } from "./verify-checkpoint.ts";
import { checkEntries } from "./verify-entries.ts";
import { checkKey } from "./verify-key.ts";
import { check, type BundleCheck, type CheckId } from "./verify-kit.ts";
import { parseManifest } from "./verify-manifest.ts";
import { bundleKey, checkSignature, checkSums } from "./verify-sums.ts";

// The offline verifier of an evidence bundle (SPEC §5): the CLI, the browser page and
// the tests all run this one function. Each of the five SPEC conditions is a check of
// its own (one function each: verify-sums.ts, verify-checkpoint.ts, verify-entries.ts),
// plus "zip" (the archive is safe to read) and "key" (the signing key is the one the
// caller expects, verify-key.ts). It returns a verdict per check and never throws.

export type { BundleCheck, CheckId } from "./verify-kit.ts";

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
    return report([c], null, null);
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
    const skipped = (["signature", "checksums", "checkpoint", "entries", "manifest", "key"] as CheckId[]).map((id) =>
      check(id, "skip", "not checked: the archive was refused"),
    );
    return report([opened.check, ...skipped], null, null);
  }
  const key = bundleKey(files);
  const signature = checkSignature(files, key);
  const hasher = opts.hasher ?? defaultHasher;
  const sums = checkSums(files);
  const manifest = parseManifest(files.get(BUNDLE_FILES.manifest));
  const cp = checkCheckpoint(files, key.publicKey, manifest);
  const [entries, listing] = await checkEntries(files, cp.tree, manifest, hasher, opts.onProgress);
  const keyCheck = checkKey(opts.key, key.publicKey, cp.signerKeyId);
  const keyInfo = key.publicKey
    ? { fingerprint: keyFingerprint(key.publicKey), keyId: cp.signerKeyId ?? manifest.manifest?.keyId ?? null }
    : null;
  return report([opened.check, signature, sums, cp.check, entries, listing, keyCheck], manifest.manifest, keyInfo);
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
