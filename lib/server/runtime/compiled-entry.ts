import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

// Code the server starts apart from itself — the evidence bundle's child process
// (bundles/build-process.ts) and, outside Next.js, the worker threads of the pool
// (workers/pool.ts) — as one ES module compiled by esbuild from the sources, once
// per process, into node_modules/.cache/ledgerline under a name taken from its
// content: a changed source gets a new file, and concurrent processes never see a
// half-written one. Packages stay external (native drivers load from node_modules).
// Measured (issue 16): the bundle child starts in 0.45 s at 83 MiB RSS against 1.1 s
// and 128 MiB under tsx, which transpiles ~200 files in a loader thread of its own;
// a worker thread answers its first task ~0.4 s after start against ~0.8 s.

export type EntrySources = { root: string; entry: string; tsconfig: string };

const compiled = new Map<string, Promise<string | null>>();

/**
 * The compiled module's path, or null when esbuild or the cache directory is unavailable
 * (the caller then runs the sources under tsx). `name` prefixes the file name.
 */
export function compiledEntry(src: EntrySources, name: string): Promise<string | null> {
  let file = compiled.get(src.entry);
  if (!file) {
    file = compile(src, name);
    compiled.set(src.entry, file);
  }
  return file;
}

async function compile(src: EntrySources, name: string): Promise<string | null> {
  try {
    const req = createRequire(path.join(/* turbopackIgnore: true */ src.root, "package.json"));
    const esbuild = (await import(
      /* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(req.resolve("esbuild")).href
    )) as typeof import("esbuild");
    const out = await esbuild.build({
      entryPoints: [src.entry],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      tsconfig: src.tsconfig,
      conditions: ["react-server"],
      outfile: `${name}.mjs`,
      write: false,
      logLevel: "silent",
    });
    const code = out.outputFiles[0]!.contents;
    const dir = path.join(/* turbopackIgnore: true */ src.root, "node_modules/.cache/ledgerline");
    const file = path.join(dir, `${name}-${crypto.createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    }
    return file;
  } catch (e) {
    console.error(`[ledgerline] ${name} runs under tsx (slower to start): ${(e as Error).message}`);
    return null;
  }
}

/** The tsx loader's URL for running `root`'s sources as they are; null without tsx. */
export function tsxLoader(root: string): string | null {
  try {
    const req = createRequire(path.join(/* turbopackIgnore: true */ root, "package.json"));
    return pathToFileURL(req.resolve("tsx")).href;
  } catch {
    return null;
  }
}

/**
 * Outside Next.js (the CLI, tests, the bench), how a worker thread whose entry is a .ts source
 * starts: compiled by esbuild into one module (compiledEntry; first task ~0.4 s after start),
 * else under tsx — Node 20 does not pass tsx's loader on to a worker, so the worker registers
 * it itself before importing the entry (~0.8 s). Under `next start` the caller writes
 * `new Worker(new URL(…, import.meta.url))` itself: that is the form Next.js bundles.
 */
export async function sourceWorker(
  entry: string,
  name: string,
): Promise<(options?: { workerData?: unknown }) => Worker> {
  const root = path.resolve(path.dirname(entry), "../../..");
  const file = await compiledEntry({ root, entry, tsconfig: path.join(root, "tsconfig.json") }, name);
  const threadName = `ledgerline-${name}`;
  if (file) return (o = {}) => new Worker(pathToFileURL(file), { ...o, name: threadName });
  // tsx's API (register) rather than its --import loader: a worker registers the loader itself.
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const tsx = pathToFileURL(path.join(tsxDir, "dist/esm/api/index.mjs")).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })`;
  return (o = {}) => new Worker(boot, { ...o, eval: true, name: threadName });
}
