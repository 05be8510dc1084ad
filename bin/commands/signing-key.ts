// ledgerline signing-key show | rotate | generate — the checkpoint signing key.
import { loadConfig } from "@/lib/server/config.ts";
import { operator, print, stringOption, withLedger, type CommandGroup } from "./kit.ts";

export const signingKeyCommand: CommandGroup = {
  name: "signing-key",
  usage: `  signing-key show [--json]
                         the checkpoint verifier key string, key id, fingerprint and PEM
  signing-key rotate [--new-key <signer key>] [--json]
                         the current key signs a rotation statement naming a new key; it is
                         logged, a final checkpoint covers it, and the new key takes over (a
                         running server picks a file key up without restart; the old file is
                         kept in <data dir>/retired-keys/). With LEDGERLINE_SIGNING_KEY: prints
                         the new signer key to configure (or uses --new-key) and restart with
  signing-key generate [--json]
                         print a new signer key string for LEDGERLINE_SIGNING_KEY (stores nothing)`,
  options: { name: { type: "string" }, "new-key": { type: "string" } },
  subcommands: {
    async show(line) {
      const k = await withLedger((l) => l.signingKey());
      const data = {
        name: k.name,
        keyId: k.keyIdHex,
        verifierKey: k.verifierKey,
        fingerprint: k.fingerprint,
        publicKeyPem: k.pem,
      };
      print(
        line.out,
        data,
        `Verifier key: ${k.verifierKey}\nKey id:       ${k.keyIdHex}\nFingerprint:  ${k.fingerprint}\n\n${k.pem.trimEnd()}`,
      );
      return 0;
    },
    async rotate(line) {
      const { rotateCheckpointKey } = await import("@/lib/server/transparency/rotate-key.ts");
      const r = await withLedger((l) =>
        rotateCheckpointKey(l, operator(), { newSignerKey: stringOption(line, "new-key") }),
      );
      print(
        line.out,
        r,
        `Rotation statement logged as entry ${r.statementSeq} (signed by the old and the new key).\n` +
          (r.finalCheckpoint
            ? `Signed a final checkpoint (tree size ${r.finalCheckpoint.treeSize}) with the old key.\n`
            : "The log had not grown since the last checkpoint: no final checkpoint needed.\n") +
          `Retired key ${r.retired.keyId} at ${r.retired.retiredAt}` +
          (r.retired.file ? ` (kept in ${r.retired.file}).\n` : ".\n") +
          `New verifier key: ${r.current.verifierKey}\nKey id:           ${r.current.keyId}\nFingerprint:      ${r.current.fingerprint}\n` +
          (r.signerKey
            ? `\nNew signer key (secret): put it in LEDGERLINE_SIGNING_KEY and restart every instance;\n` +
              `instances still on the old key stop signing until then:\n\n  ${r.signerKey}\n\n`
            : "A running server signs its next checkpoint with the new key. ") +
          "Auditors who pinned the old key follow the statement to the new one (verify-log, monitor); publish it anyway.",
      );
      return 0;
    },
    async generate(line) {
      const { generateSigningKey, signerKeyString, verifierKeyString } = await import("@/lib/core/index.ts");
      const k = generateSigningKey(stringOption(line, "name") ?? loadConfig().keyName);
      const data = { signerKey: signerKeyString(k.name, k.seed), verifierKey: verifierKeyString(k.name, k.publicKey) };
      print(
        line.out,
        data,
        `Signer key (secret; put it in LEDGERLINE_SIGNING_KEY):\n\n  ${data.signerKey}\n\nVerifier key: ${data.verifierKey}`,
      );
      return 0;
    },
  },
};
