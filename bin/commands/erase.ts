// ledgerline erase | personal-fields — erasure of personal values that keeps every proof valid
// (docs/retention.md § Erasure): the leaf commits the value; the value and its salt go.
import { eraseSubject, type EraseReport } from "@/lib/server/retention/erase.ts";
import {
  declarePersonalField,
  listPersonalFields,
  undeclarePersonalField,
} from "@/lib/server/retention/personal-fields.ts";
import {
  UsageError,
  jsonOption,
  lines,
  operator,
  print,
  stringOption,
  withLedger,
  type CommandGroup,
  type CommandLine,
} from "./kit.ts";

function valueOption(line: CommandLine): unknown {
  const text = stringOption(line, "value");
  const json = jsonOption(line, "json-value", "42");
  if ((text === undefined) === (json === undefined))
    throw new UsageError("erase needs exactly one of --value <text> or --json-value <json> (a number, object, …)");
  return text ?? json;
}

function summary(r: EraseReport): string {
  const held = r.held.length
    ? `\nKept (legal hold — release it, then erase again):\n${r.held.map((h) => `  ${h.holdId} (case ${h.caseRef}): ${h.seqs.length} entries, seq ${h.seqs.slice(0, 20).join(", ")}${h.seqs.length > 20 ? ", …" : ""}`).join("\n")}`
    : "";
  const resumed = r.resumed.length
    ? `\nFinished ${r.resumed.length} receipt(s) an interrupted run had left: ${r.resumed.join(", ")}`
    : "";
  if (r.dryRun)
    return `Dry run, nothing erased: ${r.matched} entries hold this value of ${r.field}; ${r.erased} would be erased.${held}`;
  if (!r.matched)
    return `No kept value of ${r.field} matches: nothing to erase (already erased, or never committed — only fields declared personal are erasable).${resumed}`;
  return (
    `Erased ${r.field} of ${r.erased} entries (request ${r.request}) under receipt(s) seq ${r.receipts.join(", ") || "—"}; leaf hashes unchanged.${held}${resumed}\n` +
    "Verify with: ledgerline verify-log. Run VACUUM (SQLite) / VACUUM FULL (PostgreSQL) so the freed pages are overwritten."
  );
}

export const eraseCommand: CommandGroup = {
  name: "erase",
  usage: `  erase --field <pointer> (--value <text> | --json-value <json>) --request <ref> [--dry-run] [--json]
                         erase one value of a personal field (e.g. --field /requester/ip --value 10.1.2.3)
                         from every entry not under a legal hold: an erasure receipt is appended first;
                         leaf hashes, proofs and checkpoints stay valid`,
  options: {
    field: { type: "string" },
    value: { type: "string" },
    "json-value": { type: "string" },
    request: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run(line) {
    const field = stringOption(line, "field");
    const request = stringOption(line, "request");
    if (!field || !request)
      throw new UsageError("erase needs --field <pointer> and --request <ref> (the data subject's request id)");
    const input = { field, request, value: valueOption(line), dryRun: line.values["dry-run"] === true };
    const r = await withLedger((l) => eraseSubject(l, operator(), input));
    print(line.out, r, summary(r));
    return 0;
  },
};

function fieldInput(line: CommandLine, verb: string) {
  const source = stringOption(line, "source");
  const pointer = stringOption(line, "pointer");
  if (!source || !pointer)
    throw new UsageError(
      `personal-fields ${verb} needs --source <source or *> --pointer <json pointer>, e.g. --pointer /requester/ip`,
    );
  return { source, pointer };
}

export const personalFieldsCommand: CommandGroup = {
  name: "personal-fields",
  usage: `  personal-fields list [--json]
                         fields committed (leaf v2) instead of stored in the leaf, per source
  personal-fields declare --source <source or *> --pointer <json pointer>
                         commit this field of the source's later events (values kept outside the leaf, erasable)
  personal-fields undeclare --source <source or *> --pointer <json pointer>
                         stop committing it for later events (stored leaves never change)`,
  options: { source: { type: "string" }, pointer: { type: "string" } },
  subcommands: {
    async list(line) {
      const rows = await withLedger((l) => listPersonalFields(l, operator()));
      const text = lines(
        rows,
        (r) => `${r.source}  ${r.pointer}  (set by ${r.updatedBy}, seq ${r.auditSeq})`,
        "No personal fields declared (Kubernetes audit usernames are committed by default).",
      );
      print(line.out, rows, text);
      return 0;
    },
    async declare(line) {
      const r = await withLedger((l) => declarePersonalField(l, operator(), fieldInput(line, "declare")));
      print(
        line.out,
        r,
        `${r.pointer} is personal for ${r.source} from now on (meta-audit seq ${r.auditSeq}); stored entries keep their leaves.`,
      );
      return 0;
    },
    async undeclare(line) {
      const input = fieldInput(line, "undeclare");
      await withLedger((l) => undeclarePersonalField(l, operator(), input));
      print(
        line.out,
        { ...input, undeclared: true },
        `${input.pointer} is no longer committed for ${input.source}'s later events.`,
      );
      return 0;
    },
  },
};
