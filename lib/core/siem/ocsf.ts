import { proofFields, type StreamRecord } from "./record.ts";

// OCSF 1.x "API Activity" (category 6 Application Activity, class 6003): one access of
// one workload to one target. The mapping is documented in docs/siem.md; fields OCSF has
// no place for go to `unmapped`, and the proof fields to `unmapped.ledgerline`.

export const OCSF_VERSION = "1.3.0";
export const OCSF_API_ACTIVITY = { category_uid: 6, class_uid: 6003 } as const;

/** Ledgerline's event types onto API Activity's CRUD activities (99 Other for the rest). */
const ACTIVITY: Record<string, { id: number; name: string }> = {
  write: { id: 1, name: "Create" },
  read: { id: 2, name: "Read" },
  modify: { id: 3, name: "Update" },
  delete: { id: 4, name: "Delete" },
};

/** success → 1 Success; failure and denied → 2 Failure (denied keeps its own status_detail). */
const STATUS: Record<string, { id: number; name: string }> = {
  success: { id: 1, name: "Success" },
  failure: { id: 2, name: "Failure" },
  denied: { id: 2, name: "Failure" },
};

/** A denial is worth a look (Low); everything else is informational. */
const severity = (outcome: string) =>
  outcome === "denied" ? { id: 2, name: "Low" } : { id: 1, name: "Informational" };

function actorOf(r: StreamRecord) {
  const q = r.entry.requester;
  // A workload identity (SPIFFE ID, service account) is OCSF's user of type "System" (3);
  // a person is a "User" (1).
  const person = q.type === "user";
  return { user: { uid: q.id, name: q.id, type_id: person ? 1 : 3, type: person ? "User" : "System" } };
}

export function toOcsfApiActivity(r: StreamRecord): Record<string, unknown> {
  const e = r.entry;
  const activity = ACTIVITY[e.eventType] ?? { id: 99, name: "Other" };
  const status = STATUS[e.outcome] ?? { id: 0, name: "Unknown" };
  const sev = severity(e.outcome);
  return {
    ...OCSF_API_ACTIVITY,
    category_name: "Application Activity",
    class_name: "API Activity",
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: OCSF_API_ACTIVITY.class_uid * 100 + activity.id,
    type_name: `API Activity: ${activity.name}`,
    time: Date.parse(e.timestamp),
    severity_id: sev.id,
    severity: sev.name,
    status_id: status.id,
    status: status.name,
    ...(e.outcome === "denied" || e.reason ? { status_detail: e.reason ?? "denied" } : {}),
    message: `${e.requester.id} ${e.outcome} ${e.eventType} ${e.target.id}`,
    metadata: {
      version: OCSF_VERSION,
      product: { name: "Ledgerline", vendor_name: "Ledgerline" },
      uid: String(r.seq),
      original_time: e.timestamp,
      logged_time: Date.parse(e.receivedAt),
      log_name: e.source,
      ...(e.correlationId ? { correlation_uid: e.correlationId } : {}),
    },
    actor: actorOf(r),
    api: { operation: e.action ?? e.eventType, ...(e.target.service ? { service: { name: e.target.service } } : {}) },
    src_endpoint: e.requester.ip ? { ip: e.requester.ip, name: e.requester.id } : { name: e.requester.id },
    dst_endpoint: { name: e.target.service ?? e.target.id },
    resources: [{ uid: e.target.id, ...(e.target.type ? { type: e.target.type } : {}) }],
    unmapped: {
      ledgerline: { ...proofFields(r), id: e.id, source: e.source, outcome: e.outcome, eventType: e.eventType },
      ...(e.attributes ? { attributes: e.attributes } : {}),
    },
  };
}
