// npm run tamper-demo — the insider scenarios of issue 14 as a story in the terminal. A real
// `next start` server on a throwaway SQLite store, a real witness process (`ledgerline witness
// serve`), the auditor's monitor (`ledgerline monitor --once`, its own process, with a read
// token, the witness's key and a signed webhook) and a webhook receiver process. For each
// scenario: what the insider did, who noticed, and the exact alert text (the webhooks' Ed25519
// signatures are checked). The scenarios and their checks are the stress suite `insider`
// (test/stress/insider.ts) — this script only tells them. Every process it starts is stopped
// and every temporary directory removed, also on failure. Exit 0 when every scenario was
// detected as expected, 1 otherwise. Needs a `next build` (made under the build lock if none).
import fs from "node:fs";
import { runInsider } from "../test/stress/insider.ts";
import { Checks, ensureBuild, newSqliteStore } from "../test/stress/support.ts";

/** The suite's checks, told as "who noticed" lines instead of the stress tier's log. */
class Story extends Checks {
  override check(name: string, ok: boolean, detail = ""): boolean {
    this.results.push({ name, ok, detail });
    const what = name.replace(/^insider: (\w\. )?/, "");
    console.log(`    ${ok ? "✓" : "✗ NOT AS EXPECTED:"} ${what}${ok ? "" : ` — ${detail.slice(0, 400)}`}`);
    return ok;
  }
}

async function main(): Promise<number> {
  const t0 = Date.now();
  console.log("Ledgerline tamper demo: an insider with root, the database and the signing key, against");
  console.log("a witness and a monitor run by the auditor (each its own process). Starting…");
  ensureBuild();
  const store = newSqliteStore("tamper-demo");
  const story = new Story("tamper-demo");
  try {
    const report = await runInsider(story, store, {
      quick: true,
      say: (line) => console.log(line.startsWith("\n") ? `\n${line.slice(1)}` : line),
    });
    const secs = Math.round((Date.now() - t0) / 1000);
    console.log(
      `\n${report.scenarios} scenarios in ${secs} s (${Object.entries(report.seconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(", ")})`,
    );
  } finally {
    fs.rmSync(store.dataDir, { recursive: true, force: true });
  }
  const failed = story.failed;
  console.log(failed ? `${failed} check(s) NOT as expected (above)` : "every scenario was detected, named and alerted");
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[tamper-demo] ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
