import "server-only";
import fs from "node:fs";
import { appendSignatures } from "@/lib/core/note.ts";
import type { BundleWitnesses } from "@/lib/core/bundle/format.ts";
import { BUNDLE_FILES } from "@/lib/core/bundle/format.ts";
import { quorumRule, witnessQuorum } from "@/lib/core/pins.ts";
import { parseCosignerVerifierKey, type Policy } from "@/lib/core/tlog/index.ts";
import { indexZip, memberChunks, type ZipSource } from "@/lib/core/zip/read.ts";
import type { SqlDriver } from "../db/driver.ts";
import { cosignaturesOf } from "../ledger/store/cosignatures.ts";
import { allKeyRotations } from "../ledger/store/signing-keys.ts";
import type { WitnessConfig } from "../cosigning/config.ts";

// What a bundle carries beyond SPEC §5's fields: every stored witness cosignature of its
// checkpoint (extra signature lines — old verifiers ignore them, c2sp.org/signed-note), the
// witnesses configured and which of them cosigned (manifest.witnesses, informative only), and
// the log's key rotation statements (manifest.keyRotations), so a verifier that pinned an
// earlier key can follow the chain. The server's cosigner asks the witnesses in the background,
// so a just-signed checkpoint may not be cosigned yet: the build waits a bounded time for the
// quorum, and otherwise says so in the bundle (the user may build again on a later checkpoint).

/** Longest a build waits for the witnesses to cosign its checkpoint. */
const MAX_WAIT_MS = 15_000;
const POLL_MS = 250;

export type Witnessed = { note: string; witnesses?: BundleWitnesses; keyRotations?: string[] };

/** The policy with its cosigner keys re-read from the vkeys (the config reached a build child as JSON). */
function livePolicy(w: WitnessConfig): Policy {
  return {
    ...w.policy,
    witnesses: w.policy.witnesses.map((x) => ({ ...x, cosigner: parseCosignerVerifierKey(x.vkey) })),
  };
}

async function cosignedNote(db: SqlDriver, note: string, treeSize: number): Promise<string> {
  const lines = (await cosignaturesOf(db, treeSize)).map((r) => r.line);
  return lines.length ? appendSignatures(note, lines) : note;
}

/**
 * checkpoint.txt for the bundle (the log's note plus every stored cosignature line), the
 * manifest's witnesses and rotation statements. Waits up to the witness timeout (at most 15 s)
 * for the configured quorum; `waitMs` 0 takes what is stored now.
 */
export async function witnessedCheckpoint(
  db: SqlDriver,
  cp: { note: string; treeSize: number },
  config: WitnessConfig | null,
  waitMs = Math.min(MAX_WAIT_MS, (config?.timeoutMs ?? 0) + 2_000),
): Promise<Witnessed> {
  const rotations = (await allKeyRotations(db)).map((r) => r.statement);
  const keyRotations = rotations.length ? rotations : undefined;
  if (!config?.policy.witnesses.length) return { note: await cosignedNote(db, cp.note, cp.treeSize), keyRotations };
  const policy = livePolicy(config);
  const deadline = Date.now() + waitMs;
  let note = await cosignedNote(db, cp.note, cp.treeSize);
  let q = witnessQuorum(note, policy);
  while (!q.met && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    note = await cosignedNote(db, cp.note, cp.treeSize);
    q = witnessQuorum(note, policy);
  }
  const list = policy.witnesses.map((w) => ({ name: w.label, vkey: w.vkey, cosigned: q.cosigned.includes(w.label) }));
  return { note, witnesses: { quorum: quorumRule(policy), quorumMet: q.met, list }, keyRotations };
}

/** manifest.witnesses of a built bundle, read back from its ZIP (the bundle is the record), or null. */
export function readBundleWitnesses(file: string): BundleWitnesses | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, "r");
    const size = fs.fstatSync(fd).size;
    const src: ZipSource = {
      size,
      read: (offset, length) => {
        const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        fs.readSync(fd!, buf, 0, buf.length, offset);
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      },
    };
    const index = indexZip(src);
    const m = index.ok ? index.members.find((x) => x.name === BUNDLE_FILES.manifest) : undefined;
    if (!m) return null;
    const text = Buffer.concat([...memberChunks(src, m)]).toString("utf8");
    return (JSON.parse(text) as { witnesses?: BundleWitnesses }).witnesses ?? null;
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
