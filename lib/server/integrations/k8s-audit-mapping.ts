// Kubernetes audit event (audit.k8s.io/v1 Event) → Ledgerline access event (raw, before
// validateEvent). The mapping is documented in docs/integrations.md; keep the two in step.
//
// Only the final stage of a request is an access: ResponseComplete (and Panic, which the
// apiserver sends instead of ResponseComplete when the handler panicked). RequestReceived
// and ResponseStarted describe the same request earlier; they are skipped and counted.
//
// requestObject / responseObject are never copied: at the Request / RequestResponse levels
// they hold the very Secrets being audited.

import { normalizeIp } from "@/lib/schemas/ip-address.ts";
import { cleanText, fitAttributes } from "./fit-attributes.ts";
import type { JsonValue } from "./otlp-model.ts";

export type K8sMapped =
  | { kind: "event"; event: Record<string, unknown> }
  | { kind: "skipped"; stage: string }
  | { kind: "rejected"; errors: Array<{ pointer: string; detail: string }> };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const s = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const FINAL_STAGES = new Set(["ResponseComplete", "Panic"]);
const EXEC_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy"]);

export function k8sEventType(verb: string, subresource?: string): string {
  if (subresource && EXEC_SUBRESOURCES.has(subresource)) return "execute";
  switch (verb) {
    case "get":
    case "list":
    case "watch":
      return "read";
    case "create":
      return "write";
    case "update":
    case "patch":
      return "modify";
    case "delete":
    case "deletecollection":
      return "delete";
    default:
      // impersonate, bind, escalate, approve, proxy, connect verbs, non-resource POSTs…
      return "execute";
  }
}

/** Who made the request, and what kind of principal it is. */
export function k8sRequester(username: string): { id: string; type: string } {
  if (username.startsWith("system:serviceaccount:")) return { id: username, type: "workload" };
  // Nodes (kubelets) and control-plane components authenticate as system:* identities: machines, not people.
  if (username.startsWith("system:")) return { id: username, type: "service" };
  return { id: username, type: "user" };
}

/** k8s://<group or "core">/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]] */
export function k8sTargetId(ref: Obj): string | undefined {
  const resource = s(ref.resource);
  if (!resource) return undefined;
  const parts = [s(ref.apiGroup) ?? "core", s(ref.apiVersion) ?? "v1"];
  const ns = s(ref.namespace);
  if (ns) parts.push("namespaces", ns);
  parts.push(resource);
  const name = s(ref.name);
  const sub = s(ref.subresource);
  if (name) parts.push(name);
  if (sub) parts.push(sub);
  return `k8s://${parts.join("/")}`;
}

/**
 * Maps one item of an EventList. `traceId` (from the webhook request's traceparent header),
 * when given, becomes correlationId instead of the auditID.
 */
export function mapK8sAuditEvent(item: unknown, opts: { traceId?: string; cluster?: string } = {}): K8sMapped {
  if (!isObj(item)) return { kind: "rejected", errors: [{ pointer: "", detail: "must be an audit Event object" }] };
  const stage = s(item.stage);
  if (!stage) return { kind: "rejected", errors: [{ pointer: "/stage", detail: "is required" }] };
  if (!FINAL_STAGES.has(stage)) return { kind: "skipped", stage };

  const errors: Array<{ pointer: string; detail: string }> = [];
  const auditID = s(item.auditID);
  if (!auditID) errors.push({ pointer: "/auditID", detail: "is required (it is the entry's idempotency key)" });
  const verb = s(item.verb);
  if (!verb) errors.push({ pointer: "/verb", detail: "is required" });
  const user = isObj(item.user) ? item.user : undefined;
  const username = s(user?.username);
  if (!username) errors.push({ pointer: "/user/username", detail: "is required" });
  const timestamp = s(item.requestReceivedTimestamp) ?? s(item.stageTimestamp);
  if (!timestamp) errors.push({ pointer: "/requestReceivedTimestamp", detail: "is required (or stageTimestamp)" });
  const ref = isObj(item.objectRef) ? item.objectRef : undefined;
  const requestURI = s(item.requestURI);
  if (!ref && !requestURI)
    errors.push({ pointer: "/objectRef", detail: "is required (or requestURI for a non-resource request)" });
  if (errors.length) return { kind: "rejected", errors };

  const requester: Obj = k8sRequester(username!);
  const ips = Array.isArray(item.sourceIPs) ? item.sourceIPs.filter((x): x is string => typeof x === "string") : [];
  // An unparsable address must not cost the access: it stays in attributes instead.
  const ip = ips[0] !== undefined ? normalizeIp(ips[0]) : null;
  if (ip) requester.ip = ip;

  const sub = ref ? s(ref.subresource) : undefined;
  const resource = ref ? s(ref.resource) : undefined;
  const path = requestURI ? requestURI.split("?")[0]! : "/";
  const targetId = (ref && k8sTargetId(ref)) ?? `k8s://nonresource${path}`;
  const target: Obj = { id: targetId, service: "kube-apiserver", type: resource ?? "nonResourceURL" };

  const status = isObj(item.responseStatus) ? item.responseStatus : {};
  const code = typeof status.code === "number" ? status.code : undefined;
  const annotations = isObj(item.annotations) ? item.annotations : {};
  const decision = s(annotations["authorization.k8s.io/decision"]);
  let outcome = "success";
  if (code === 401 || code === 403 || decision === "forbid") outcome = "denied";
  else if (stage === "Panic" || (code !== undefined && code >= 400)) outcome = "failure";

  const event: Record<string, unknown> = {
    id: auditID,
    timestamp,
    eventType: k8sEventType(verb!, sub),
    requester,
    target,
    action: `${verb} ${resource ? `${resource}${sub ? `/${sub}` : ""}` : path}`,
    outcome,
    correlationId: opts.traceId ?? auditID,
  };
  const why =
    s(annotations["authorization.k8s.io/reason"]) ??
    (outcome !== "success" ? (s(status.message) ?? s(status.reason)) : undefined);
  if (why) event.reason = cleanText(why);

  const impersonated = isObj(item.impersonatedUser) ? item.impersonatedUser : undefined;
  const attrs = fitAttributes(
    {
      "k8s.audit.id": auditID!,
      "k8s.audit.level": (s(item.level) ?? null) as JsonValue,
      "k8s.audit.stage": stage,
      ...(opts.cluster ? { "k8s.cluster.name": opts.cluster } : {}),
      "k8s.request.uri": (requestURI ?? null) as JsonValue,
      "k8s.verb": verb!,
      ...(code !== undefined ? { "k8s.response.code": code } : {}),
      ...(s(status.reason) ? { "k8s.response.reason": s(status.reason)! } : {}),
      ...(ref && s(ref.uid) ? { "k8s.object.uid": s(ref.uid)! } : {}),
      ...(user && s(user.uid) ? { "k8s.user.uid": s(user.uid)! } : {}),
      ...(user && Array.isArray(user.groups) ? { "k8s.user.groups": user.groups as JsonValue } : {}),
      ...(impersonated ? { "k8s.impersonated_user": impersonated as JsonValue } : {}),
      ...(ips.length > 1 || (ips.length === 1 && !ip) ? { "k8s.source_ips": ips } : {}),
      ...(s(item.userAgent) ? { "user_agent.original": s(item.userAgent)! } : {}),
      ...(user && isObj(user.extra) ? { "k8s.user.extra": user.extra as JsonValue } : {}),
      ...(Object.keys(annotations).length ? { "k8s.annotations": annotations as JsonValue } : {}),
    },
    ["k8s.user.extra", "user_agent.original", "k8s.annotations", "k8s.user.groups"],
  );
  if (attrs) event.attributes = attrs;
  return { kind: "event", event };
}

/** The items of an audit.k8s.io/v1 EventList, or null when `list` is not one. */
export function k8sEventListItems(list: unknown): unknown[] | null {
  if (!isObj(list) || list.kind !== "EventList" || list.apiVersion !== "audit.k8s.io/v1") return null;
  return Array.isArray(list.items) ? list.items : null;
}

export type K8sRejected = { index: number; auditID?: unknown; errors: Array<Record<string, unknown>> };

export type K8sBatch = {
  /** The access events to append, with the item each came from. */
  mapped: Array<{ index: number; auditID: unknown; event: Record<string, unknown> }>;
  /** Items that map to no event, with pointers into the webhook's body (/items/<index>/…). */
  rejected: K8sRejected[];
  /** Earlier stages of a request, counted by stage. */
  skipped: Record<string, number>;
};

/**
 * Maps every item of an EventList (see mapK8sAuditEvent). The apiserver's webhook batches
 * many requests into one call, so `traceId` (from the call's traceparent) only means
 * something when a per-event forwarder set it; `cluster` names the source cluster.
 */
export function mapK8sAuditItems(
  items: unknown[],
  opts: {
    traceId?: string;
    cluster?: string;
    /** Per item, the numbers JSON.parse rounded: such an item is refused, never stored as something not sent. */
    rounded?: Map<number, Array<{ pointer: string; detail: string }>>;
  },
): K8sBatch {
  const batch: K8sBatch = { mapped: [], rejected: [], skipped: {} };
  items.forEach((item, index) => {
    const auditID = (item as { auditID?: unknown } | null)?.auditID;
    const roundedHere = opts.rounded?.get(index);
    if (roundedHere) {
      batch.rejected.push({ index, ...(typeof auditID === "string" ? { auditID } : {}), errors: roundedHere });
      return;
    }
    const m = mapK8sAuditEvent(item, opts);
    if (m.kind === "skipped") batch.skipped[m.stage] = (batch.skipped[m.stage] ?? 0) + 1;
    else if (m.kind === "rejected")
      batch.rejected.push({
        index,
        ...(typeof auditID === "string" ? { auditID } : {}),
        errors: m.errors.map((e) => ({ pointer: `/items/${index}${e.pointer}`, detail: e.detail })),
      });
    else batch.mapped.push({ index, auditID, event: m.event });
  });
  return batch;
}
