// Summarise V8 CPU profiles written by `BENCH_PROFILE=<dir> npm run bench` (scripts/bench/ingest.ts
// starts every server with --cpu-prof): per thread, where the sampled time went, by area of the
// code and by function (self time). This is how docs/performance.md "Where the remaining time per
// event goes" is measured.
//
//   npm run bench:profile -- <dir> [--top 20]
import fs from "node:fs";
import path from "node:path";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Which part of the stack a frame belongs to: ours by folder, the rest by package or engine. */
export function areaOf(f: CallFrame): string {
  const { url, functionName } = f;
  if (!url) {
    if (functionName === "(idle)") return "idle";
    if (functionName === "(garbage collector)") return "garbage collector";
    if (functionName === "(program)") return "V8 / native (program)";
    return `native: ${functionName || "(anonymous)"}`;
  }
  if (url.startsWith("node:")) return `node: ${url.slice(5).split("/")[0]}`;
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return `npm: ${pkg}`;
  }
  const m = /\/(lib\/[^/]+(?:\/[^/]+)?|app|components|\.next\/server)\//.exec(url);
  return m ? `ours: ${m[1]}` : `other: ${path.basename(url)}`;
}

/** Self time per (area, function) of one profile, in microseconds. */
export function selfTimes(p: CpuProfile): { total: number; byArea: Map<string, number>; byFn: Map<string, number> } {
  const nodes = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const f = nodes.get(id);
    if (!f) return;
    total += dt;
    const area = areaOf(f);
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + dt);
  });
  return { total, byArea, byFn };
}

function top(m: Map<string, number>, total: number, n: number, skipIdle: boolean): string[] {
  const busy = skipIdle ? total - (m.get("idle") ?? 0) : total;
  return [...m.entries()]
    .filter(([k]) => !(skipIdle && (k === "idle" || k.startsWith("(idle)"))))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, v]) =>
        `  ${((100 * v) / Math.max(1, busy)).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    );
}

function main(): number {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith("--"));
  const n = Number(args[args.indexOf("--top") + 1]) || 20;
  if (!dir || !fs.existsSync(dir)) {
    console.error("usage: npm run bench:profile -- <dir written by BENCH_PROFILE> [--top N]");
    return 2;
  }
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  if (!files.length) {
    console.error(
      `no .cpuprofile files under ${dir}: was the server stopped with SIGTERM (profiles are written on exit)?`,
    );
    return 1;
  }
  for (const f of files) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as CpuProfile;
    const { total, byArea, byFn } = selfTimes(p);
    const idle = byArea.get("idle") ?? 0;
    console.log(
      `\n${f}: ${(total / 1e6).toFixed(1)} s sampled, ${(((total - idle) / Math.max(1, total)) * 100).toFixed(0)} % busy`,
    );
    console.log(" busy time by area (self):");
    for (const l of top(byArea, total, n, true)) console.log(l);
    console.log(" busy time by function (self):");
    for (const l of top(byFn, total, n, true)) console.log(l);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
