import type { TestProject } from "vitest/node";
import fs from "node:fs";
import { startPgCluster, type PgCluster } from "./pg-cluster.ts";
import { ensureDebianPackages } from "./pg-host.ts";
import { RSYSLOGD } from "./rsyslog.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pg: { url: string; adminUrl: string };
  }
}

let cluster: PgCluster | undefined;

const RSYSLOG_GTLS = [
  "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so",
  "/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so",
];

export async function setup(project: TestProject) {
  // The SIEM tests' syslog receiver (lib/server/siem/syslog.int.test.ts), with its TLS driver.
  await ensureDebianPackages(
    [
      { name: "rsyslog", present: () => fs.existsSync(RSYSLOGD) },
      { name: "rsyslog-gnutls", present: () => RSYSLOG_GTLS.some((f) => fs.existsSync(f)) },
    ],
    (m) => console.log(`[setup] ${m}`),
  );
  cluster = await startPgCluster({ log: (m) => console.log(`[pg] ${m}`) });
  project.provide("pg", { url: cluster.url, adminUrl: cluster.adminUrl });
}

export async function teardown() {
  await cluster?.stop();
}
