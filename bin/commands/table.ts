// The `ledgerline` command table, in the order `ledgerline --help` lists the groups.
// A new command group is one file in bin/commands/ exporting a CommandGroup
// (see kit.ts) and one line here.
import type { CommandGroup } from "./kit.ts";
import { importCommand } from "./import.ts";
import { integrityCommand } from "./integrity.ts";
import { keysCommand } from "./keys.ts";
import { siemCommand } from "./siem.ts";
import { alertsCommand } from "./alerts.ts";
import { signingKeyCommand } from "./signing-key.ts";
import { checkpointCommand, migrateCommand, seedCommand } from "./store.ts";
import { tokensCommand } from "./tokens.ts";
import { retentionCommand } from "./retention.ts";
import { reviewsCommand } from "./reviews.ts";
import { pruneCommand } from "./prune.ts";
import { archiveCommand } from "./archive.ts";
import { eraseCommand, personalFieldsCommand } from "./erase.ts";
import { usersCommand } from "./users.ts";
import { bundleCommand } from "./bundle.ts";
import { verifyBundleCommand } from "./verify-bundle.ts";
import { verifyLogCommand } from "./verify-log.ts";
import { monitorCommand } from "./monitor.ts";
import { witnessCommand } from "./witness.ts";

export const COMMANDS: readonly CommandGroup[] = [
  keysCommand,
  usersCommand,
  tokensCommand,
  signingKeyCommand,
  checkpointCommand,
  verifyLogCommand,
  integrityCommand,
  migrateCommand,
  seedCommand,
  bundleCommand,
  verifyBundleCommand,
  witnessCommand,
  monitorCommand,
  importCommand,
  retentionCommand,
  reviewsCommand,
  pruneCommand,
  archiveCommand,
  eraseCommand,
  personalFieldsCommand,
  siemCommand,
  alertsCommand,
];
