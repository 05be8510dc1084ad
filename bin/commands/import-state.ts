// The resume file of `ledgerline import`: `<file>.ledgerline-import.json` records how many
// lines are settled (acknowledged or written to the rejects file) and a hash of them.
import fs from "node:fs";

export type ImportState = {
  version: 1;
  url: string;
  linesDone: number;
  /** SHA-256 over the settled lines (each + "\\n"): a rerun checks the file still starts with them. */
  prefixSha256: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  updatedAt: string;
};

export function readState(file: string): ImportState | null {
  try {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as ImportState;
    return s.version === 1 && Number.isInteger(s.linesDone) ? s : null;
  } catch {
    return null;
  }
}

export function writeState(file: string, s: ImportState): void {
  // Write then rename: a crash mid-write must not leave a state file that says nothing.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

export function freshState(url: string): ImportState {
  return { version: 1, url, linesDone: 0, prefixSha256: "", accepted: 0, duplicates: 0, rejected: 0, updatedAt: "" };
}
