// npm test: every tier in order — lint (eslint, prettier --check, knip), typecheck, unit, integration (real SQLite and
// PostgreSQL), e2e (real servers, real browser), then the reduced stress tier
// (load, crash, faults, abuse, security-data against real servers; it reuses e2e's build) —
// stopping at the first failure, then one closing line with the totals
// ("tests: N passed, N failed"). Full-size stress: `npm run test:stress`.
import { spawn } from "node:child_process";

const tiers = [
  ["lint", "npm", ["run", "-s", "lint"]],
  ["typecheck", "npm", ["run", "-s", "typecheck"]],
  ["unit", "npm", ["run", "-s", "test:unit"]],
  ["integration", "npm", ["run", "-s", "test:int"]],
  ["e2e", "npm", ["run", "-s", "test:e2e"]],
  ["stress (reduced)", "npm", ["run", "-s", "test:stress", "--", "--quick"]],
];

const ansi = /\x1b\[[0-9;]*m/g;
let passed = 0;
let failed = 0;

function run(name, cmd, args) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name} ===`);
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FORCE_COLOR: "0" } });
    let tail = "";
    p.stdout.on("data", (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-20000);
    });
    p.on("close", (code) => {
      const text = tail.replace(ansi, "");
      // vitest: "Tests  12 passed | 1 failed (13)"; playwright: "  6 passed (6.2s)", "  1 failed"
      const v = /^\s*Tests\s+(.*)$/m.exec(text);
      const src = v
        ? v[1]
        : text
            .split("\n")
            .filter((l) => /^\s+\d+ (passed|failed)/.test(l))
            .join(" ");
      const num = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(src)?.[1] ?? 0);
      passed += num("passed");
      failed += num("failed");
      resolve(code ?? 1);
    });
  });
}

let code = 0;
for (const [name, cmd, args] of tiers) {
  code = await run(name, cmd, args);
  if (code !== 0) {
    console.error(`\n${name} failed (exit ${code}); later tiers were not run.`);
    if (failed === 0) failed = 1;
    break;
  }
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(code);
