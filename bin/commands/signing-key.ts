// ledgerline signing-key show | rotate | generate — the checkpoint signing key.
import { loadConfig } from "@/lib/server/config.ts";
import { print, stringOption, withLedger, type CommandGroup } from "./kit.ts";

export const signingKeyCommand: CommandGroup = {
  name: "signing-key",
  usage: `  signing-key show [--json]
                         the checkpoint verifier key string, key id, fingerprint and PEM
  signing-key rotate [--json]
                         sign a final checkpoint with the current key, retire it, and
                         switch to a new key (a running server picks it up without restart;
                         the old key file is kept in <data dir>/retired-keys/)
  signing-key generate [--json]
                         print a new signer key string for LEDGERLINE_SIGNING_KEY (stores nothing)`,
  options: { name: { type: "string" } },
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
      const { rotateSigningKey } = await import("@/lib/server/ledger/rotate.ts");
      const r = await withLedger((l) => rotateSigningKey(l));
      print(
        line.out,
        r,
        (r.finalCheckpoint
          ? `Signed a final checkpoint (tree size ${r.finalCheckpoint.treeSize}) with the old key.\n`
          : "The log had not grown since the last checkpoint: no final checkpoint needed.\n") +
          `Retired key ${r.retired.keyId} at ${r.retired.retiredAt} (kept in ${r.retired.file}).\n` +
          `New verifier key: ${r.current.verifierKey}\nKey id:           ${r.current.keyId}\nFingerprint:      ${r.current.fingerprint}\n` +
          "A running server signs its next checkpoint with the new key; publish the new verifier key to your auditors.",
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
