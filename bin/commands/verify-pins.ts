// The pinning options verify-log and verify-bundle share (--key, --trust-file, --witness,
// --quorum): read the trust file and hand everything to lib/core/pins.ts, so both commands pin
// by the same rules. `fail` is the command's own usage error (exit 2).
import fs from "node:fs";
import { pinsFromOptions, type Pins } from "@/lib/core/pins.ts";

export type PinValues = { key?: string[]; "trust-file"?: string; witness?: string[]; quorum?: string };

export const PIN_OPTIONS = {
  key: { type: "string", multiple: true },
  "trust-file": { type: "string" },
  witness: { type: "string", multiple: true },
  quorum: { type: "string" },
} as const;

/** Pins from the parsed options (verify-bundle leaves `key` out: it also accepts PEM files there). */
export function pinsFromArgs(values: PinValues, fail: (message: string) => Error): Pins {
  const file = values["trust-file"];
  let trustFile: { name: string; text: string } | undefined;
  if (file) {
    try {
      trustFile = { name: file, text: fs.readFileSync(file, "utf8") };
    } catch (e) {
      throw fail(`--trust-file ${file}: ${(e as Error).message}`);
    }
  }
  try {
    return pinsFromOptions({ keys: values.key, trustFile, witnesses: values.witness, quorum: values.quorum });
  } catch (e) {
    throw fail((e as Error).message);
  }
}
