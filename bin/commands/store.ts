// ledgerline checkpoint | migrate | seed — store upkeep on the same DATABASE_URL as the server.
import { print, withLedger, type CommandGroup } from "./kit.ts";

export const checkpointCommand: CommandGroup = {
  name: "checkpoint",
  usage: "  checkpoint [--json]    sign a checkpoint of the current log now (if it grew)",
  async run(line) {
    const cp = await withLedger((l) => l.sequencer.checkpoint());
    print(
      line.out,
      cp ? { treeSize: cp.treeSize, note: cp.note } : null,
      cp ? cp.note : "Nothing to sign: the log did not grow since the last checkpoint.",
    );
    return 0;
  },
};

export const migrateCommand: CommandGroup = {
  name: "migrate",
  usage: "  migrate                apply pending migrations and check the append-only guards",
  async run(line) {
    // Opening the ledger applies the migrations and refuses a store without its guards.
    await withLedger(async () => undefined);
    print(line.out, { ok: true }, "Migrations applied; append-only guards present.");
    return 0;
  },
};

export const seedCommand: CommandGroup = {
  name: "seed",
  usage: "  seed                   put the demo data into an empty store",
  async run(line) {
    const seeded = await withLedger(async (l) => {
      const { seedDemo } = await import("@/lib/server/runtime/demo-seed.ts");
      return seedDemo(l, (m) => process.stdout.write(`${m}\n`));
    });
    if (!seeded)
      print(line.out, { seeded: false }, "The store is not empty; demo data only ever goes into an empty store.");
    return 0;
  },
};
