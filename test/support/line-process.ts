import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

// A receiver as its own process (webhook-receiver.mjs, smtp-server.mjs): it prints
// "listening …<port>" once, then one JSON line per thing it received.

export type LineProcess = { port: number; url: string; lines: unknown[]; proc: ChildProcess; stop(): void };

export async function startLineProcess(script: string, env: Record<string, string> = {}): Promise<LineProcess> {
  const proc = spawn(process.execPath, [path.resolve(import.meta.dirname, script)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: unknown[] = [];
  let rest = "";
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.setEncoding("utf8");
    proc.stdout!.on("data", (chunk: string) => {
      rest += chunk;
      let i;
      while ((i = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, i);
        rest = rest.slice(i + 1);
        const m = /^listening .*?(\d+)\/?$/.exec(line);
        if (m) resolve(Number(m[1]));
        else if (line.trim()) lines.push(JSON.parse(line));
      }
    });
    proc.once("exit", (c) => reject(new Error(`${script} exited ${c}`)));
  });
  return { port, url: `http://127.0.0.1:${port}`, lines, proc, stop: () => proc.kill() };
}

/** Waits until `p` has printed at least `n` lines (a delivery's answer may come before the line is read). */
export async function waitForLines(p: LineProcess, n: number, timeoutMs = 10_000): Promise<unknown[]> {
  const end = Date.now() + timeoutMs;
  while (p.lines.length < n) {
    if (Date.now() > end) throw new Error(`expected ${n} lines, got ${p.lines.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return p.lines;
}
