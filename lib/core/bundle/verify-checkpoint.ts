import { toBase64 } from "../bytes.ts";
import { openNote, parseCheckpoint } from "../note.ts";
import { BUNDLE_FILES, type BundleManifest } from "./format.ts";
import { check, decode, type BundleCheck } from "./verify-kit.ts";

// Check 3 of SPEC §5: checkpoint.txt is a signed note by the bundle's key, and the tree it
// names is the one the manifest names.

export type Tree = { size: number; rootHash: Uint8Array };

export type CheckpointResult = {
  check: BundleCheck;
  /** The checkpoint's tree when it parsed (even if check 3 failed later): check 4 proves against it. */
  tree: Tree | null;
  /** The key id of the signature that verified. */
  signerKeyId: string | null;
};

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

/** The key id of a signature on `note` that verifies under `publicKey` (with any name), or null. */
function signedKeyId(note: string, publicKey: Uint8Array): string | null {
  for (const name of signatureNames(note)) {
    try {
      const r = openNote(note, [{ name, publicKey }]);
      if (r.ok) return r.verified[0]!.keyId;
    } catch {
      // an invalid key name on a signature line: try the next one
    }
  }
  return null;
}

function parseTree(text: string, manifest: BundleManifest | null): { tree: Tree | null; problem: string | null } {
  try {
    const split = text.lastIndexOf("\n\n");
    if (split < 0) throw new Error("no blank line before the signatures");
    const parsed = parseCheckpoint(text.slice(0, split + 1));
    const tree = { size: parsed.size, rootHash: parsed.rootHash };
    if (manifest && parsed.origin !== manifest.origin)
      return {
        tree,
        problem: `checkpoint origin ${JSON.stringify(parsed.origin)} is not manifest.origin ${JSON.stringify(manifest.origin)}`,
      };
    return { tree, problem: null };
  } catch (e) {
    return { tree: null, problem: `checkpoint.txt is not a checkpoint (${(e as Error).message})` };
  }
}

function manifestMismatch(tree: Tree, signerKeyId: string, manifest: BundleManifest): string | null {
  if (signerKeyId !== manifest.keyId)
    return `the checkpoint's key id ${signerKeyId} is not manifest.keyId ${manifest.keyId}`;
  if (tree.size !== manifest.checkpoint.treeSize)
    return `checkpoint tree size ${tree.size} is not manifest.checkpoint.treeSize ${manifest.checkpoint.treeSize}`;
  if (toBase64(tree.rootHash) !== manifest.checkpoint.rootHash)
    return "the checkpoint's root hash is not manifest.checkpoint.rootHash";
  return null;
}

/** Check 3. */
export function checkCheckpoint(
  files: { get(name: string): Uint8Array | undefined },
  publicKey: Uint8Array | null,
  manifest: { manifest: BundleManifest | null; problem: string | null },
): CheckpointResult {
  const fail = (problem: string, tree: Tree | null = null, signerKeyId: string | null = null) => ({
    check: check("checkpoint", "fail", problem),
    tree,
    signerKeyId,
  });
  const bytes = files.get(BUNDLE_FILES.checkpoint);
  if (!bytes) return fail("checkpoint.txt is missing");
  let text: string;
  try {
    text = decode(bytes, "checkpoint.txt");
  } catch (e) {
    return fail(`checkpoint.txt is not a checkpoint (${(e as Error).message})`);
  }
  const { tree, problem } = parseTree(text, manifest.manifest);
  if (problem || !tree) return fail(problem!, tree);
  if (!publicKey) return fail("no usable public-key.pem to check the checkpoint's signature with", tree);
  const signerKeyId = signedKeyId(text, publicKey);
  if (!signerKeyId) return fail("checkpoint.txt has no valid signature by public-key.pem", tree);
  if (!manifest.manifest) return fail(`cannot compare with the manifest: ${manifest.problem}`, tree, signerKeyId);
  const mismatch = manifestMismatch(tree, signerKeyId, manifest.manifest);
  if (mismatch) return fail(mismatch, tree, signerKeyId);
  return {
    check: check("checkpoint", "pass", `tree size ${tree.size}, signed by key ${signerKeyId}`),
    tree,
    signerKeyId,
  };
}
