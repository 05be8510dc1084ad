// ledgerline retention list | set | delete | hold | release — retention policies and legal holds (docs/retention.md).
import {
  deleteRetentionPolicy,
  listRetention,
  placeLegalHold,
  releaseLegalHold,
  setRetentionPolicy,
} from "@/lib/server/retention/policies.ts";
import {
  UsageError,
  jsonOption,
  lines,
  oneArg,
  operator,
  print,
  stringOption,
  withLedger,
  type CommandGroup,
  type CommandLine,
} from "./kit.ts";
import { intOption } from "./int-option.ts";

const filterOption = (line: CommandLine) =>
  jsonOption(line, "filter", `'{"source":"payments"}'`, "an explorer filter as JSON");

function daysOption(line: CommandLine): number | null {
  if (line.values.forever === true) return null;
  const days = intOption(stringOption(line, "days"), "--days", {}, UsageError);
  if (days === undefined) throw new UsageError("retention set needs --days <whole number> or --forever");
  return days;
}

const describeDays = (d: number | null) => (d === null ? "kept for ever" : `${d} days`);

export const retentionCommand: CommandGroup = {
  name: "retention",
  usage: `  retention list [--json]
                         retention policies and legal holds
  retention set <name> (--days <n> | --forever) [--filter <json>] [--i-know-this-is-below-pci]
                [--archive | --no-archive]
                         create or change a policy ("default" covers what no other matches);
                         under 365 days (PCI DSS 10.5.1) needs --i-know-this-is-below-pci;
                         --archive writes monthly signed bundles to LEDGERLINE_ARCHIVE_DIR
                         before pruning
  retention delete <name>
                         delete a policy (its entries fall back to the default)
  retention hold --filter <json> --reason <why> --case <reference>
                         place a legal hold: matching entries are never pruned
  retention release <hold id> [--reason <why>]
                         release a legal hold`,
  options: {
    days: { type: "string" },
    forever: { type: "boolean" },
    filter: { type: "string" },
    reason: { type: "string" },
    case: { type: "string" },
    "i-know-this-is-below-pci": { type: "boolean" },
    archive: { type: "boolean" },
    "no-archive": { type: "boolean" },
  },
  subcommands: {
    async list(line) {
      const r = await withLedger((l) => listRetention(l, operator()));
      const pol = lines(
        r.policies,
        (p) =>
          `${p.name}  ${describeDays(p.days)}${p.archive ? "  archived" : ""}  filter ${JSON.stringify(p.filter)}  (set by ${p.updatedBy}, seq ${p.auditSeq})`,
        "No policies.",
      );
      const holds = lines(
        r.holds,
        (h) =>
          `${h.id}  ${h.releasedAt ? `released ${h.releasedAt}` : "ACTIVE"}  case ${h.caseRef}  filter ${JSON.stringify(h.filter)}  — ${h.reason}`,
        "No legal holds.",
      );
      print(line.out, r, `Policies:\n${pol}\n\nLegal holds:\n${holds}\n`);
      return 0;
    },
    async set(line) {
      const name = oneArg(
        line.rest,
        'retention set needs the policy name, e.g. ledgerline retention set payments --days 400 --filter \'{"service":"payments"}\'',
      );
      const input = {
        filter: filterOption(line),
        days: daysOption(line),
        belowPciAcknowledged: line.values["i-know-this-is-below-pci"] === true,
        // Neither flag: the policy keeps its archive setting.
        ...(line.values.archive === true
          ? { archive: true }
          : line.values["no-archive"] === true
            ? { archive: false }
            : {}),
      };
      const p = await withLedger((l) => setRetentionPolicy(l, operator(), name, input));
      print(
        line.out,
        p,
        `Policy ${p.name}: ${describeDays(p.days)}, filter ${JSON.stringify(p.filter)}${p.archive ? ", archived before pruning" : ""} (meta-audit seq ${p.auditSeq}).`,
      );
      return 0;
    },
    async delete(line) {
      const name = oneArg(line.rest, "retention delete needs the policy name");
      await withLedger((l) => deleteRetentionPolicy(l, operator(), name));
      print(line.out, { name, deleted: true }, `Deleted policy ${name}; its entries follow the default policy now.`);
      return 0;
    },
    async hold(line) {
      const input = {
        filter: filterOption(line),
        reason: stringOption(line, "reason"),
        caseRef: stringOption(line, "case"),
      };
      if (input.filter === undefined || !input.reason || !input.caseRef)
        throw new UsageError("retention hold needs --filter <json> --reason <why> --case <reference>");
      const h = await withLedger((l) => placeLegalHold(l, operator(), input));
      print(
        line.out,
        h,
        `Placed legal hold ${h.id} (case ${h.caseRef}, meta-audit seq ${h.placedSeq}); matching entries will not be pruned until it is released.`,
      );
      return 0;
    },
    async release(line) {
      const id = oneArg(
        line.rest,
        "retention release needs the hold id, e.g. ledgerline retention release hold_AbC123xyz",
      );
      const h = await withLedger((l) => releaseLegalHold(l, operator(), id, stringOption(line, "reason")));
      print(
        line.out,
        h,
        `Released legal hold ${h.id} (meta-audit seq ${h.releasedSeq}); the next prune applies the policies to its entries again.`,
      );
      return 0;
    },
  },
};
