import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents, freshLedger } from "@/test/support/stores.ts";
import { hop } from "@/test/support/trace-hops.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { buildBundleIsolated, childCommand } from "./build-process.ts";

// Issue 16: the bundle child starts from one ES module compiled by esbuild (not the sources under
// tsx), named by its content under node_modules/.cache/ledgerline, compiled once per process —
// and a bundle built by that child is the bundle: every entry, a peak RSS reported by the child.

describe("the bundle child process", () => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ ledger, cleanup } = await freshLedger("sqlite"));
    await appendEvents(
      ledger,
      "spiffe://t/orders",
      Array.from({ length: 50 }, (_, i) => hop(`c${i % 5}`, i * 1000, "spiffe://t/gw", "orders")),
    );
  });
  afterAll(async () => cleanup());

  it("runs a module compiled once per process, named by its content", async () => {
    const args = await childCommand();
    expect(args).toHaveLength(1);
    const file = args![0]!;
    expect(path.relative(process.cwd(), file)).toMatch(
      /^node_modules\/\.cache\/ledgerline\/bundle-child-[0-9a-f]{16}\.mjs$/,
    );
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    expect(await childCommand()).toEqual(args);
  });

  it("builds the whole bundle in that child and reports the child's peak RSS", async () => {
    const progress: number[] = [];
    const built = await buildBundleIsolated(
      ledger,
      { id: crypto.randomUUID(), createdAt: new Date().toISOString(), createdBy: "test@x", filter: {} },
      (done) => void progress.push(done),
    );
    expect(built.count).toBe(50);
    expect(built.treeSize).toBe(50);
    expect(built.peakRssMiB).toBeGreaterThan(20);
    expect(built.peakRssMiB).toBeLessThan(300);
    expect(progress.at(-1)).toBe(50);
    expect(fs.existsSync(built.file)).toBe(true);
  });
});
