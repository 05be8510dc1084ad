import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { SECRET_READ_EVENT } from "@/test/fixtures/k8s/expected.ts";
import {
  k8sEventListItems,
  k8sEventType,
  k8sRequester,
  k8sTargetId,
  mapK8sAuditEvent,
  mapK8sAuditItems,
} from "./k8s-audit-mapping.ts";

const list = JSON.parse(
  fs.readFileSync(new URL("../../../test/fixtures/k8s/event-list.json", import.meta.url), "utf8"),
) as { items: unknown[] };

const valid = (item: unknown, opts = {}) => {
  const m = mapK8sAuditEvent(item, opts);
  if (m.kind !== "event") throw new Error(JSON.stringify(m));
  const v = validateEvent(m.event, { now: new Date("2026-11-27T00:00:00Z") });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.event;
};

describe("Kubernetes audit event → access event", () => {
  it("skips the stages before ResponseComplete", () => {
    const kinds = list.items.map((i) => mapK8sAuditEvent(i).kind);
    expect(kinds.filter((k) => k === "skipped")).toHaveLength(3);
    expect(kinds.filter((k) => k === "event")).toHaveLength(7);
  });

  it("service account reading a secret", () => {
    expect(valid(list.items[1])).toMatchObject({
      ...SECRET_READ_EVENT,
      reason: expect.stringContaining("RoleBinding"),
    });
  });

  it("a denied secret read, exec into a pod, a node status patch, a deployment delete, a non-resource URL", () => {
    expect(valid(list.items[3])).toMatchObject({
      outcome: "denied",
      requester: { id: "system:serviceaccount:ci:deployer", type: "workload" },
      reason: expect.stringContaining("forbidden"),
    });
    expect(valid(list.items[5])).toMatchObject({
      eventType: "execute",
      requester: { id: "bob@example.com", type: "user" },
      target: { id: "k8s://core/v1/namespaces/shop/pods/orders-api-7d9f8b6c5-x2x7q/exec", type: "pods" },
      action: "create pods/exec",
    });
    expect(valid(list.items[6])).toMatchObject({
      eventType: "modify",
      requester: { id: "system:node:node-1", type: "service" },
      target: { id: "k8s://core/v1/nodes/node-1/status" },
    });
    expect(valid(list.items[7])).toMatchObject({
      eventType: "delete",
      target: { id: "k8s://apps/v1/namespaces/shop/deployments/orders-canary" },
    });
    expect(valid(list.items[8])).toMatchObject({
      eventType: "read",
      target: { id: "k8s://nonresource/healthz", type: "nonResourceURL" },
      action: "get /healthz",
    });
  });

  it("never copies request or response objects (they hold the secrets being audited)", () => {
    const withObjects = {
      ...(list.items[1] as object),
      requestObject: { data: { password: "aHVudGVyMg==" } },
      responseObject: { data: { password: "aHVudGVyMg==" } },
    };
    expect(JSON.stringify(valid(withObjects))).not.toContain("aHVudGVyMg==");
  });

  it("a traceparent trace id replaces the auditID as correlationId; attributes keep the audit context", () => {
    const e = valid(list.items[2], { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", cluster: "prod-eu" });
    expect(e.correlationId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(e.requester.ip).toBe("203.0.113.9");
    expect(e.attributes).toMatchObject({
      "k8s.audit.id": "a1b2c3d4-0000-4e5f-8a9b-111111111111",
      "k8s.cluster.name": "prod-eu",
      "k8s.response.code": 201,
      "k8s.source_ips": ["203.0.113.9", "10.0.0.1"],
      "k8s.user.groups": ["platform", "system:authenticated"],
    });
  });

  it("tables", () => {
    expect(
      ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate"].map((v) =>
        k8sEventType(v),
      ),
    ).toEqual(["read", "read", "read", "write", "modify", "modify", "delete", "delete", "execute"]);
    expect(k8sEventType("get", "proxy")).toBe("execute");
    expect(k8sRequester("system:serviceaccount:a:b").type).toBe("workload");
    expect(k8sRequester("system:kube-scheduler").type).toBe("service");
    expect(k8sRequester("jane").type).toBe("user");
    expect(k8sTargetId({ resource: "namespaces", name: "shop" })).toBe("k8s://core/v1/namespaces/shop");
  });

  it("rejects an event it cannot attribute, naming the fields", () => {
    const m = mapK8sAuditEvent({ stage: "ResponseComplete", verb: "get" });
    expect(m.kind).toBe("rejected");
    expect(m.kind === "rejected" && m.errors.map((e) => e.pointer)).toEqual([
      "/auditID",
      "/user/username",
      "/requestReceivedTimestamp",
      "/objectRef",
    ]);
    expect(mapK8sAuditEvent(42).kind).toBe("rejected");
  });

  it("an EventList's items, or null for anything else", () => {
    expect(k8sEventListItems(list)).toHaveLength(10);
    expect(k8sEventListItems({ kind: "EventList", apiVersion: "audit.k8s.io/v1", items: [] })).toEqual([]);
    for (const bad of [
      null,
      [],
      { kind: "Event", apiVersion: "audit.k8s.io/v1", items: [] },
      { kind: "EventList", apiVersion: "audit.k8s.io/v1beta1", items: [] },
      { kind: "EventList", apiVersion: "audit.k8s.io/v1", items: {} },
    ])
      expect(k8sEventListItems(bad)).toBeNull();
  });

  it("a batch: events with their item index, earlier stages counted, bad items with pointers into the body", () => {
    const items = [...list.items, { stage: "ResponseComplete", auditID: "x-1", verb: "get" }, 7];
    const b = mapK8sAuditItems(items, { cluster: "prod-eu" });
    expect(b.mapped.map((m) => m.index)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(b.mapped[0]!.auditID).toBe("2f6b8c4e-1d2a-4c3b-9e8f-7a6b5c4d3e2f");
    expect(b.mapped[0]!.event.attributes).toMatchObject({ "k8s.cluster.name": "prod-eu" });
    expect(b.skipped).toEqual({ RequestReceived: 2, ResponseStarted: 1 });
    expect(b.rejected).toEqual([
      {
        index: 10,
        auditID: "x-1",
        errors: [
          { pointer: "/items/10/user/username", detail: "is required" },
          { pointer: "/items/10/requestReceivedTimestamp", detail: "is required (or stageTimestamp)" },
          { pointer: "/items/10/objectRef", detail: "is required (or requestURI for a non-resource request)" },
        ],
      },
      { index: 11, errors: [{ pointer: "/items/11", detail: "must be an audit Event object" }] },
    ]);
  });
});
