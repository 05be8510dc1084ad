import type { TestProject } from "vitest/node";
import { startPgCluster, type PgCluster } from "./pg-cluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pg: { url: string; adminUrl: string };
  }
}

let cluster: PgCluster | undefined;

export async function setup(project: TestProject) {
  cluster = await startPgCluster({ log: (m) => console.log(`[pg] ${m}`) });
  project.provide("pg", { url: cluster.url, adminUrl: cluster.adminUrl });
}

export async function teardown() {
  await cluster?.stop();
}
