// ledgerline reviews list | schedule | template | run | mark-reviewed — scheduled review packs (docs/reviews.md).
import { whenBundlesIdle } from "@/lib/server/bundles/queue.ts";
import { bundleFile } from "@/lib/server/bundles/build.ts";
import { getPack, listReviews, markReviewed, runReview, scheduleReview } from "@/lib/server/reviews/service.ts";
import { REVIEW_TEMPLATES, scheduleTemplate } from "@/lib/server/reviews/templates.ts";
import { UsageError, lines, oneArg, operator, print, stringOption, withLedger, type CommandGroup } from "./kit.ts";

const TEMPLATE_IDS = REVIEW_TEMPLATES.map((t) => t.id).join(" | ");

export const reviewsCommand: CommandGroup = {
  name: "reviews",
  usage: `  reviews list [--json]
                         review schedules (next run) and the latest packs (status, sign-off)
  reviews schedule --view <view id> --frequency daily|weekly|monthly|cron [--cron '<m h dom mon dow>']
                   --tz <IANA zone> [--name <name>]
                         schedule a saved view: each period becomes a signed bundle with a report
  reviews template ${TEMPLATE_IDS} [--tz <IANA zone>]
                         make the template's shared view and its schedule in one step
  reviews run <schedule id> [--at <ISO instant>]
                         run the last period ended at --at (default now) and wait for its bundle
  reviews mark-reviewed <pack id> --comment <what you reviewed and found>
                         sign a ready pack off (recorded in the log: PCI DSS 10.4.1 review evidence)`,
  options: {
    view: { type: "string" },
    frequency: { type: "string" },
    cron: { type: "string" },
    tz: { type: "string" },
    name: { type: "string" },
    at: { type: "string" },
    comment: { type: "string" },
  },
  subcommands: {
    async list(line) {
      const r = await withLedger((l) => listReviews(l, operator()));
      const sched = lines(
        r.schedules,
        (s) =>
          `${s.id}  ${s.name}  ${s.frequency} (${s.cron}) ${s.timeZone}  ${s.enabled ? `next ${s.nextRunAt}` : "paused"}  view ${s.viewName}`,
        "No review schedules: ledgerline reviews template pci-dss-10.4.1-daily --tz <zone>",
      );
      const packs = lines(
        r.packs,
        (p) =>
          `${p.id}  ${p.periodStart} → ${p.periodEnd}  ${p.status}${p.count === null ? "" : ` ${p.count} entries`}  ${p.review ? `reviewed by ${p.review.by} ${p.review.at}` : "NOT REVIEWED"}`,
        "No packs yet.",
      );
      print(line.out, r, `Schedules:\n${sched}\n\nPacks:\n${packs}\n`);
      return 0;
    },
    async schedule(line) {
      const input = {
        viewId: stringOption(line, "view"),
        frequency: stringOption(line, "frequency"),
        cron: stringOption(line, "cron"),
        timeZone: stringOption(line, "tz"),
        name: stringOption(line, "name"),
      };
      if (!input.viewId || !input.frequency || !input.timeZone)
        throw new UsageError(
          "reviews schedule needs --view <view id> --frequency <daily|weekly|monthly|cron> --tz <zone>",
        );
      const s = await withLedger((l) => scheduleReview(l, operator(), input));
      print(line.out, s, `Scheduled "${s.name}" (${s.id}): ${s.frequency} (${s.cron}) in ${s.timeZone}.`);
      return 0;
    },
    async template(line) {
      const template = oneArg(line.rest, `reviews template needs one of: ${TEMPLATE_IDS}`);
      const s = await withLedger((l) =>
        scheduleTemplate(l, operator(), { template, timeZone: stringOption(line, "tz") }),
      );
      print(line.out, s, `Scheduled "${s.name}" (${s.id}): ${s.frequency} in ${s.timeZone}, view ${s.viewId}.`);
      return 0;
    },
    async run(line) {
      const scheduleId = oneArg(line.rest, "reviews run needs the schedule id (ledgerline reviews list)");
      const r = await withLedger(async (l) => {
        const run = await runReview(l, operator(), { scheduleId, at: stringOption(line, "at") });
        process.stderr.write(`pack ${run.pack.id} (${run.pack.periodStart} → ${run.pack.periodEnd}): building…\n`);
        await whenBundlesIdle(l);
        return {
          ...run,
          pack: await getPack(l, operator(), run.pack.id),
          file: bundleFile(l.config.dataDir, run.pack.bundleId),
        };
      });
      const what = r.created ? "Made" : "Already had";
      print(
        line.out,
        r,
        r.pack.status === "ready"
          ? `${what} pack ${r.pack.id}: ${r.pack.count} entries, bundle ${r.file}\nCheck it: ledgerline verify-bundle ${r.file} --key <your pinned key>`
          : `${what} pack ${r.pack.id}: ${r.pack.status}${r.pack.error ? ` — ${r.pack.error}` : ""}`,
      );
      return r.pack.status === "ready" ? 0 : 1;
    },
    async "mark-reviewed"(line) {
      const id = oneArg(line.rest, "reviews mark-reviewed needs the pack id (ledgerline reviews list)");
      const comment = stringOption(line, "comment");
      if (comment === undefined)
        throw new UsageError("reviews mark-reviewed needs --comment <what you reviewed and found>");
      const p = await withLedger((l) => markReviewed(l, operator(), id, { comment }));
      print(line.out, p, `Pack ${p.id} reviewed by ${p.review!.by} (log entry seq ${p.review!.seq}).`);
      return 0;
    },
  },
};
