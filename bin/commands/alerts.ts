// ledgerline alerts list | ack | resolve | evaluate | rules add|list|remove|enable|disable — alert rules and alerts.
import type { AlertRuleInput } from "@/lib/schemas/alerts.ts";
import {
  acknowledgeAlert,
  createAlertRule,
  deleteAlertRule,
  evaluateAlertsNow,
  listAlertRules,
  listAlerts,
  resolveAlert,
  setAlertRuleEnabled,
} from "@/lib/server/alerts/service.ts";
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

async function addRule(line: CommandLine): Promise<number> {
  const name = stringOption(line, "name");
  const condition = jsonOption(line, "condition", `'{"kind":"count","windowMinutes":10,"threshold":50}'`);
  if (!name || !condition) throw new UsageError("alerts rules add needs --name and --condition (see ledgerline help)");
  const input = {
    name,
    condition,
    filter: jsonOption(line, "filter", `'{"outcome":["denied"]}'`) ?? {},
    channels: jsonOption(line, "channels", `'[{"kind":"slack","url":"https://hooks.example/…"}]'`) ?? [],
  } as AlertRuleInput;
  const r = await withLedger((l) => createAlertRule(l, operator(), input));
  print(
    line.out,
    r,
    `Alert rule ${r.name} (${r.id}) ${r.readsRollup ? "reads the per-source rollup" : "counts entries with the explorer's query"}; the server evaluates it every LEDGERLINE_ALERT_EVALUATE_EVERY seconds.`,
  );
  return 0;
}

async function listRules(line: CommandLine): Promise<number> {
  const rules = await withLedger((l) => listAlertRules(l, operator()));
  const human = lines(
    rules,
    (r) =>
      `${r.id}  ${r.name}  ${r.enabled ? "enabled" : "paused"}  ${JSON.stringify(r.condition)}  filter ${JSON.stringify(r.filter)}  channels ${r.channels.map((c) => c.kind).join(",") || "-"}`,
    "No alert rules. Add one with: ledgerline alerts rules add --name … --condition '{…}'",
  );
  print(line.out, rules, human);
  return 0;
}

async function rules(line: CommandLine): Promise<number> {
  const [verb, ...rest] = line.rest;
  if (verb === "add") return addRule(line);
  if (verb === "list" || verb === undefined) return listRules(line);
  const id = oneArg(rest, `alerts rules ${verb} needs the rule id`);
  if (verb === "remove") {
    const r = await withLedger((l) => deleteAlertRule(l, operator(), id));
    print(line.out, r, `Removed alert rule ${id}; its open alerts were resolved.`);
    return 0;
  }
  if (verb === "enable" || verb === "disable") {
    const r = await withLedger((l) => setAlertRuleEnabled(l, operator(), id, verb === "enable"));
    print(line.out, r, `Alert rule ${id} ${verb}d.`);
    return 0;
  }
  throw new UsageError(`Unknown "alerts rules ${verb}": add, list, remove, enable or disable.`);
}

export const alertsCommand: CommandGroup = {
  name: "alerts",
  usage: `  alerts list [--open] [--json]
                         recent alerts with state, value and delivery state
  alerts ack <id> [--comment <text>] | alerts resolve <id> [--comment <text>]
                         acknowledge / resolve an alert (logged from source ledgerline:alerts)
  alerts evaluate        evaluate every rule and send due deliveries now
  alerts rules add --name <name> --condition <json> [--filter <json>] [--channels <json>]
                         e.g. --condition '{"kind":"baseline","factor":3,"minCount":10}' --filter '{"outcome":["denied"]}'
  alerts rules list | remove <id> | enable <id> | disable <id>`,
  options: {
    name: { type: "string" },
    condition: { type: "string" },
    filter: { type: "string" },
    channels: { type: "string" },
    comment: { type: "string" },
    open: { type: "boolean" },
  },
  subcommands: {
    rules,
    async list(line) {
      const state = line.values.open ? "open" : "all";
      const items = await withLedger((l) => listAlerts(l, operator(), { state }));
      const human = lines(
        items,
        (a) =>
          `${a.id}  ${a.state}  ${a.ruleName}${a.key ? ` (${a.key})` : ""}  ${a.firedAt}  ${a.summary}  deliveries ${a.deliveries.map((d) => `${d.kind}:${d.state}`).join(",") || "-"}`,
        state === "open" ? "No open alerts." : "No alerts yet.",
      );
      print(line.out, items, human);
      return 0;
    },
    async ack(line) {
      const id = oneArg(line.rest, "alerts ack needs the alert id");
      const comment = stringOption(line, "comment");
      const r = await withLedger((l) => acknowledgeAlert(l, operator(), id, comment ? { comment } : {}));
      print(line.out, r, `Alert ${id} acknowledged.`);
      return 0;
    },
    async resolve(line) {
      const id = oneArg(line.rest, "alerts resolve needs the alert id");
      const comment = stringOption(line, "comment");
      const r = await withLedger((l) => resolveAlert(l, operator(), id, comment ? { comment } : {}));
      print(line.out, r, `Alert ${id} resolved.`);
      return 0;
    },
    async evaluate(line) {
      const r = await withLedger((l) => evaluateAlertsNow(l, operator()));
      print(
        line.out,
        r,
        `${r.rules} rules evaluated in ${r.ms.toFixed(0)} ms: ${r.fired} fired, ${r.delivered} delivered, ${r.failed} deliveries failed.`,
      );
      return 0;
    },
  },
};
