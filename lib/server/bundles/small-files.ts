import "server-only";
import { ed25519 } from "@noble/curves/ed25519.js";
import { toBase64, utf8, type EventFilter } from "@/lib/core/index.ts";
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  formatManifest,
  formatSums,
  formatVerifyText,
  type BundleReview,
} from "@/lib/core/bundle/format.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { SigningKey } from "../ledger/signing.ts";
import { sha256Hex } from "./hash.ts";
import type { SpoolResult } from "./spool.ts";
import type { Witnessed } from "./witnessed.ts";

// A bundle's small files (SPEC §5): the manifest, checkpoint, key and instructions, then
// SHA256SUMS over every member (the spooled large ones by their hashes) and its signature.

type Signed = Witnessed & { key: SigningKey; note: string; treeSize: number; rootHash: Uint8Array };
type Request = { id: string; createdAt: string; createdBy: string; filter: EventFilter; withheld?: string[] };
type Span = { count: number; firstSeq: number; lastSeq: number };

/** The manifest, checkpoint, key and instructions, the SHA256SUMS over every member, and its signature. */
export function signedSmallFiles(
  ledger: Ledger,
  cp: Signed,
  req: Request,
  span: Span,
  spooled: Record<string, SpoolResult>,
  report: { files: Map<string, Uint8Array>; review: BundleReview } | null,
): Map<string, Uint8Array> {
  const T = cp.treeSize;
  const small = new Map<string, Uint8Array>([
    [
      BUNDLE_FILES.manifest,
      utf8(
        formatManifest({
          format: BUNDLE_FORMAT,
          bundleId: req.id,
          createdAt: req.createdAt,
          createdBy: req.createdBy,
          origin: ledger.config.origin,
          filter: req.filter,
          count: span.count,
          firstSeq: span.firstSeq,
          lastSeq: span.lastSeq,
          checkpoint: { treeSize: T, rootHash: toBase64(cp.rootHash) },
          keyId: cp.key.keyIdHex,
          witnesses: cp.witnesses,
          keyRotations: cp.keyRotations,
          // Sorted and unique: the signed claim of what was held back on purpose.
          withheld: [...new Set(req.withheld ?? [])].sort(),
          review: report?.review,
        }),
      ),
    ],
    [BUNDLE_FILES.checkpoint, utf8(cp.note)],
    [BUNDLE_FILES.key, utf8(cp.key.pem)],
    [
      BUNDLE_FILES.verify,
      utf8(
        formatVerifyText({
          bundleId: req.id,
          origin: ledger.config.origin,
          count: span.count,
          treeSize: T,
          keyId: cp.key.keyIdHex,
          verifierKey: cp.key.verifierKey,
          fingerprint: cp.key.fingerprint,
        }),
      ),
    ],
  ]);
  for (const [name, data] of report?.files ?? []) small.set(name, data);
  const sums = utf8(
    formatSums([
      ...[...small].map(([name, data]) => ({ name, sha256Hex: sha256Hex(data) })),
      ...Object.entries(spooled).map(([name, s]) => ({ name, sha256Hex: s.sha256Hex })),
    ]),
  );
  small.set(BUNDLE_FILES.sums, sums);
  small.set(BUNDLE_FILES.sig, ed25519.sign(sums, cp.key.seed));
  return small;
}
