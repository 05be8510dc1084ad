import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger, sessionUser, testApi } from "@/test/support/stores.ts";
import type { Role } from "../auth/permissions.ts";
import type { Runtime } from "../runtime/runtime.ts";

// /api/v1/siem/destinations through the real mount: who may do what, bad input named by
// field, the secret never returned, and every change in the log without it.

describe.each(DIALECTS)("SIEM destinations API on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect));
  });
  afterEach(async () => cleanup());

  const as = (role: Role) => testApi(ledger, sessionUser(role)).siem;
  const post = (body: unknown, origin = "http://127.0.0.1") =>
    new Request("http://127.0.0.1/api/v1/siem/destinations", {
      method: "POST",
      headers: { "content-type": "application/json", origin, host: "127.0.0.1" },
      body: JSON.stringify(body),
    });
  const hec = {
    name: "splunk-prod",
    kind: "splunk-hec",
    url: "https://splunk.example/services/collector/event",
    secret: "s3cret-hec",
  };

  it("lets admins create and auditors read, never returning or logging the secret", async () => {
    expect((await as("analyst").create(post(hec), {})).status).toBe(403);
    expect((await as("auditor").create(post(hec), {})).status).toBe(403);
    const created = await as("admin").create(post(hec), {});
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await as("analyst").list(new Request("http://127.0.0.1/api/v1/siem/destinations"), {})).status).toBe(403);
    const listed = (await (
      await as("auditor").list(new Request("http://127.0.0.1/api/v1/siem/destinations"), {})
    ).json()) as Array<Record<string, unknown>>;
    expect(listed).toEqual([
      expect.objectContaining({ id, name: "splunk-prod", hasSecret: true, state: "active", lag: 0 }),
    ]);
    expect(JSON.stringify(listed)).not.toContain("s3cret-hec");
    const audit = await ledger.db.all<{ action: string; attributes: string }>(
      "SELECT action, attributes FROM entries WHERE action LIKE 'siem.%' ORDER BY seq",
    );
    expect(audit.map((a) => a.action)).toEqual(["siem.destination.create"]);
    expect(audit[0]!.attributes).not.toContain("s3cret-hec");
    expect((await as("admin").create(post(hec), {})).status).toBe(409);
  });

  it("names each bad field, and a cross-site POST is refused", async () => {
    const bad = await as("admin").create(post({ name: "Bad Name", kind: "syslog-tcp", url: "https://x" }), {});
    expect(bad.status).toBe(422);
    const p = (await bad.json()) as { errors: Array<{ pointer: string }> };
    expect(p.errors.map((e) => e.pointer).sort()).toEqual(["/name", "/url"]);
    const noToken = await as("admin").create(post({ ...hec, secret: undefined }), {});
    expect(((await noToken.json()) as { detail: string }).detail).toMatch(/HEC needs its token/);
    expect((await as("admin").create(post(hec, "https://evil.example"), {})).status).toBe(403);
  });

  it("replays, pauses, resumes and removes — each logged", async () => {
    const { id } = (await (await as("admin").create(post(hec), {})).json()) as { id: string };
    const call = (path: string, body: unknown) =>
      new Request(`http://127.0.0.1/api/v1/siem/destinations/${id}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://127.0.0.1", host: "127.0.0.1" },
        body: JSON.stringify(body),
      });
    const params = { params: Promise.resolve({ id }) };
    expect((await as("admin").replay(call("replay", { fromSeq: 0 }), params)).status).toBe(422);
    expect((await as("admin").replay(call("replay", { fromSeq: 1 }), params)).status).toBe(200);
    expect((await as("admin").setState(call("state", { state: "gone" }), params)).status).toBe(400);
    expect((await as("admin").setState(call("state", { state: "paused" }), params)).status).toBe(200);
    expect((await as("admin").setState(call("state", { state: "active" }), params)).status).toBe(200);
    const del = new Request(`http://127.0.0.1/api/v1/siem/destinations/${id}`, {
      method: "DELETE",
      headers: { origin: "http://127.0.0.1", host: "127.0.0.1" },
    });
    expect((await as("admin").remove(del, params)).status).toBe(200);
    expect((await as("admin").remove(del, params)).status).toBe(404);
    const actions = await ledger.db.all<{ action: string }>(
      "SELECT action FROM entries WHERE action LIKE 'siem.%' ORDER BY seq",
    );
    expect(actions.map((a) => a.action)).toEqual([
      "siem.destination.create",
      "siem.destination.replay",
      "siem.destination.pause",
      "siem.destination.resume",
      "siem.destination.delete",
    ]);
  });
});
