import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { fromBase64, openNote, parseCheckpoint, parseVerifierKey, verifyInclusion } from "@/lib/core/index.ts";
import { signInAs } from "./support/auth.ts";

// The foundation's user story, on the real server (SQLite and PostgreSQL
// projects): a platform engineer starts Ledgerline, points a service at the
// ingest API with the demo key, and every event becomes a provable entry.

const keyFor = (project: string) =>
  (project === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

function accessEvent(over: Record<string, unknown> = {}) {
  return {
    timestamp: new Date().toISOString(),
    eventType: "read",
    requester: { id: "spiffe://e2e.example/ns/shop/sa/orders" },
    target: { id: "db://payments-pg/cardholder.cards", service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: "denied",
    reason: "e2e: not in the allow list",
    ...over,
  };
}

async function waitForCheckpoint(request: APIRequestContext, atLeast: number): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const note = await (await request.get("/api/v1/checkpoint")).text();
    if (Number(note.split("\n")[1]) >= atLeast) return note;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no checkpoint covering ${atLeast} within 15 s`);
}

test("the overview shows the log, its latest checkpoint and the verifier key to compare", async ({
  page,
  request,
}, info) => {
  const keys = await (await request.get("/api/v1/keys")).json();
  const current = keys.keys.find((k: { status: string }) => k.status === "current");
  await signInAs(page, info, "analyst");
  await expect(page.getByText("Ledgerline", { exact: true })).toBeVisible();
  const size = Number((await page.getByTestId("tree-size").locator(".stat").innerText()).replace(/,/g, ""));
  expect(size).toBeGreaterThan(1000); // the demo fleet
  await expect(page.getByTestId("verifier-key")).toContainText(current.verifierKey);
  await expect(page.getByTestId("verifier-key")).toContainText(current.fingerprint);
  await expect(page.getByTestId("checkpoint").locator(".stat")).not.toHaveText("0");
});

test("an event sent with the demo ingest key becomes a committed entry with a proof against a signed checkpoint", async ({
  request,
  page,
}, info) => {
  const key = keyFor(info.project.name);
  expect(key, "the e2e runner captures the demo key the server printed").toMatch(/^llk_/);
  const id = `e2e-${info.project.name}-${Date.now()}`;
  const send = () =>
    request.post("/api/v1/events", {
      headers: {
        authorization: `Bearer ${key}`,
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      },
      data: body,
    });
  const body = accessEvent({ id });
  const res = await send();
  expect(res.status()).toBe(201);
  const { accepted } = await res.json();
  expect(accepted[0].id).toBe(id);
  const seq: number = accepted[0].seq;

  // Re-sending is idempotent.
  const again = await send();
  expect(again.status()).toBe(200);
  expect((await again.json()).duplicates).toEqual([{ id, seq: accepted[0].seq }]);

  const note = await waitForCheckpoint(request, seq);
  const { keys } = await (await request.get("/api/v1/keys")).json();
  const vk = parseVerifierKey(keys[0].verifierKey);
  const opened = openNote(note, [{ name: vk.name, publicKey: vk.publicKey }]);
  expect(opened.ok).toBe(true);
  const cp = parseCheckpoint(opened.ok ? opened.text : "");

  const proof = await (await request.get(`/api/v1/proofs/inclusion?seq=${seq}&treeSize=${cp.size}`)).json();
  expect(proof.leafHash).toBe(accepted[0].leafHash);
  expect(verifyInclusion(seq - 1, cp.size, fromBase64(proof.leafHash), proof.path.map(fromBase64), cp.rootHash)).toBe(
    true,
  );

  // The same checkpoint verifies with coreutils + OpenSSL alone (no Ledgerline code).
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cp-")), "checkpoint.txt");
  fs.writeFileSync(file, note);
  const out = execFileSync("bash", ["bin/verify-checkpoint.sh", file, keys[0].verifierKey]).toString();
  expect(out).toContain(`tree size ${cp.size}`);
  fs.writeFileSync(file, note.replace(`\n${cp.size}\n`, `\n${cp.size + 1}\n`));
  expect(() =>
    execFileSync("bash", ["bin/verify-checkpoint.sh", file, keys[0].verifierKey], { stdio: "pipe" }),
  ).toThrow();

  // And the dashboard counts it.
  await signInAs(page, info, "auditor");
  const size = Number((await page.getByTestId("tree-size").locator(".stat").innerText()).replace(/,/g, ""));
  expect(size).toBeGreaterThanOrEqual(seq);
});

test("bad requests over real HTTP get problem+json and store nothing", async ({ request }, info) => {
  const key = keyFor(info.project.name);
  const before = Number((await waitForCheckpoint(request, 1)).split("\n")[1]);
  const sizeNow = async () => {
    // The inclusion route refuses a treeSize past the log: the first refused size is the log size + 1.
    const r = await request.get(`/api/v1/proofs/inclusion?seq=1&treeSize=100000000`);
    return Number(/\((\d+) entries\)/.exec((await r.json()).detail)?.[1]);
  };
  const start = await sizeNow();
  expect(start).toBeGreaterThanOrEqual(before);

  const noKey = await request.post("/api/v1/events", { data: accessEvent() });
  expect(noKey.status()).toBe(401);
  expect(noKey.headers()["content-type"]).toBe("application/problem+json");

  const big = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: JSON.stringify([accessEvent({ reason: "x".repeat(1000), attributes: { pad: "y".repeat(8000) } })]).padEnd(
      6 * 1024 * 1024,
      " ",
    ),
  });
  expect(big.status()).toBe(413);

  const invalid = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}` },
    data: [accessEvent(), accessEvent({ eventType: "truncate", requester: { id: "" } })],
  });
  expect(invalid.status()).toBe(422);
  const problem = await invalid.json();
  expect(problem.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(["/1/eventType", "/1/requester/id"]);

  const text = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
    data: "a,b",
  });
  expect(text.status()).toBe(415);
  expect(await sizeNow()).toBe(start);
});
