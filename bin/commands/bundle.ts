// ledgerline bundle create — an evidence bundle from the shell (docs/bundles.md), built by the
// same queue and use case as the dashboard and the API, meta-audited as the operator.
import fs from "node:fs";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { parseEventFilter } from "@/lib/schemas/event-filter.ts";
import { explorerQueryFromText, explorerSelection } from "@/components/events/explorer-params.ts";
import { bundleFile } from "@/lib/server/bundles/build.ts";
import { whenBundlesIdle } from "@/lib/server/bundles/queue.ts";
import { createBundle, getBundle } from "@/lib/server/bundles/service.ts";
import { UsageError, operator, print, stringOption, withLedger, type CommandGroup, type CommandLine } from "./kit.ts";

function problems(errors: Array<{ param: string; detail: string }>): string {
  return errors.map((e) => `${e.param} ${e.detail}`).join("; ");
}

/** The selection: an Events link resolved as the explorer resolves it now, or a filter as JSON. */
function filterOption(line: CommandLine): EventFilter {
  const link = stringOption(line, "explorer");
  const json = stringOption(line, "filter");
  if ((link === undefined) === (json === undefined))
    throw new UsageError(
      `bundle create needs exactly one of --explorer '<an Events link or its query>' or --filter '<JSON filter>' ('{}' = the whole log)`,
    );
  if (link !== undefined) {
    const q = explorerQueryFromText(link);
    if (!q.ok) throw new UsageError(`--explorer: ${problems(q.errors)}`);
    const sel = explorerSelection(q.value, Date.now());
    if (!sel.ok) throw new UsageError(`--explorer: ${problems(sel.errors)}`);
    return sel.value.filter;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json!);
  } catch {
    throw new UsageError(`--filter must be JSON, e.g. --filter '{"service":"payments"}' (got ${json})`);
  }
  const parsed = parseEventFilter(raw);
  if (!parsed.ok) throw new UsageError(`--filter: ${problems(parsed.errors)}`);
  return parsed.value;
}

function withholdOption(line: CommandLine): string[] {
  const v = line.values.withhold;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : [];
}

export const bundleCommand: CommandGroup = {
  name: "bundle",
  usage: `  bundle create (--explorer <link> | --filter <json>) [--withhold <pointer>]… [--out <file>] [--json]
                         build an evidence bundle and wait for it; --withhold /requester/ip (repeatable)
                         keeps that personal field's values out (commitment only, named in the manifest)`,
  options: {
    explorer: { type: "string" },
    filter: { type: "string" },
    withhold: { type: "string", multiple: true },
    out: { type: "string" },
  },
  subcommands: {
    async create(line) {
      const filter = filterOption(line);
      const withhold = withholdOption(line);
      const out = stringOption(line, "out");
      const r = await withLedger(async (l) => {
        const { id, withheld } = await createBundle(l, operator(), filter, { withhold });
        process.stderr.write(`bundle ${id}: building…\n`);
        await whenBundlesIdle(l);
        const b = await getBundle(l, operator(), id);
        const file = bundleFile(l.config.dataDir, id);
        if (b.status === "ready" && out) fs.copyFileSync(file, out);
        return { ...b, withheld, file: out ?? file };
      });
      const withheldText = r.withheld.length ? `, withholding ${r.withheld.join(", ")}` : "";
      print(
        line.out,
        r,
        r.status === "ready"
          ? `Bundle ${r.id}: ${r.count} entries${withheldText} → ${r.file}\nCheck it: ledgerline verify-bundle ${r.file} --key <your pinned key>`
          : `Bundle ${r.id}: ${r.status}${r.error ? ` — ${r.error}` : ""}`,
      );
      return r.status === "ready" ? 0 : 1;
    },
  },
};
