import { ed25519 } from "@noble/curves/ed25519.js";
import { toHex } from "../bytes.ts";
import { pemToPublicKey } from "../note.ts";
import type { BundleFiles } from "./bundle-files.ts";
import { BUNDLE_FILES, BUNDLE_FILE_ORDER, OPTIONAL_BUNDLE_FILES, parseSums } from "./format.ts";
import { check, decode, type BundleCheck } from "./verify-kit.ts";

// Checks 1 and 2 of SPEC §5: what `openssl pkeyutl -verify` and `sha256sum -c` check.

/** The bundle's public-key.pem, or why it is unusable. */
export function bundleKey(files: Pick<BundleFiles, "get">): { publicKey: Uint8Array | null; problem: string | null } {
  const pem = files.get(BUNDLE_FILES.key);
  if (!pem) return { publicKey: null, problem: "public-key.pem is missing" };
  try {
    return { publicKey: pemToPublicKey(decode(pem, BUNDLE_FILES.key)), problem: null };
  } catch (e) {
    return { publicKey: null, problem: `public-key.pem is not an Ed25519 public key (${(e as Error).message})` };
  }
}

/** Check 1: SHA256SUMS.sig is the Ed25519 signature of SHA256SUMS under public-key.pem. */
export function checkSignature(
  files: Pick<BundleFiles, "get">,
  key: { publicKey: Uint8Array | null; problem: string | null },
): BundleCheck {
  const sums = files.get(BUNDLE_FILES.sums);
  const sig = files.get(BUNDLE_FILES.sig);
  if (key.problem) return check("signature", "fail", key.problem);
  if (!sums) return check("signature", "fail", "SHA256SUMS is missing");
  if (!sig) return check("signature", "fail", "SHA256SUMS.sig is missing");
  if (sig.length !== 64)
    return check("signature", "fail", `SHA256SUMS.sig is ${sig.length} bytes, not a raw 64-byte Ed25519 signature`);
  let good = false;
  try {
    good = ed25519.verify(sig, sums, key.publicKey!, { zip215: false });
  } catch {
    good = false;
  }
  return good
    ? check("signature", "pass", "Signature Verified Successfully")
    : check(
        "signature",
        "fail",
        "the signature does not match SHA256SUMS under public-key.pem: SHA256SUMS or the signature was changed",
      );
}

/** Check 2: every file matches SHA256SUMS, and SHA256SUMS lists exactly the bundle's files. */
export function checkSums(files: BundleFiles): BundleCheck {
  const sums = files.get(BUNDLE_FILES.sums);
  if (!sums) return check("checksums", "fail", "SHA256SUMS is missing");
  let listed: Map<string, string>;
  try {
    listed = parseSums(decode(sums, "SHA256SUMS"));
  } catch (e) {
    return check("checksums", "fail", `SHA256SUMS is malformed: ${(e as Error).message}`);
  }
  const unsummed = (name: string) => name === BUNDLE_FILES.sums || name === BUNDLE_FILES.sig;
  const problems: string[] = [];
  for (const [name, hex] of listed) {
    const digest = files.digest(name);
    if (unsummed(name)) problems.push(`${name}: must not be listed`);
    else if (!digest) problems.push(`${name}: FAILED open or read (missing from the bundle)`);
    else if (toHex(digest) !== hex) problems.push(`${name}: FAILED (content differs from its checksum)`);
  }
  for (const name of files.names()) {
    if (!unsummed(name) && !listed.has(name)) problems.push(`${name}: not listed in SHA256SUMS`);
  }
  for (const name of BUNDLE_FILE_ORDER)
    if (!files.has(name) && !listed.has(name)) problems.push(`${name}: missing from the bundle`);
  for (const name of files.names())
    if (!BUNDLE_FILE_ORDER.includes(name) && !OPTIONAL_BUNDLE_FILES.includes(name))
      problems.push(`${name}: not a file a bundle holds (extra file)`);
  if (problems.length) return check("checksums", "fail", [...new Set(problems)].join("; "));
  return check("checksums", "pass", `${listed.size} files: OK`);
}
