import { proofFields, type StreamRecord } from "./record.ts";

// Elastic Common Schema field names for one entry (the `_bulk` destination's document).
// ECS has no place for the proof, so it goes under `ledgerline.*` (custom fields are
// allowed outside the ECS names); the full mapping is in docs/siem.md.

const ECS_VERSION = "8.11.0";

/** ECS `event.type` values for our event types (an allowed ECS value each). */
const EVENT_TYPE: Record<string, string[]> = {
  read: ["access"],
  write: ["creation"],
  modify: ["change"],
  delete: ["deletion"],
  execute: ["start"],
  authenticate: ["start"],
};

/** ECS `event.outcome` allows success | failure | unknown; a denial is a failure (kept in `event.reason`). */
const outcome = (o: string) =>
  o === "success" ? "success" : o === "failure" || o === "denied" ? "failure" : "unknown";

export function toEcs(r: StreamRecord): Record<string, unknown> {
  const e = r.entry;
  return {
    "@timestamp": e.timestamp,
    ecs: { version: ECS_VERSION },
    event: {
      kind: "event",
      category: e.eventType === "authenticate" ? ["authentication"] : ["iam"],
      type: EVENT_TYPE[e.eventType] ?? ["info"],
      action: e.action ?? e.eventType,
      outcome: outcome(e.outcome),
      ...(e.reason ? { reason: e.reason } : {}),
      id: e.id,
      sequence: r.seq,
      created: e.receivedAt,
      dataset: "ledgerline.access",
      provider: e.source,
    },
    user: { id: e.requester.id, name: e.requester.id },
    ...(e.requester.ip ? { source: { ip: e.requester.ip } } : {}),
    destination: { address: e.target.id },
    ...(e.target.service ? { service: { name: e.target.service, type: e.target.type } } : {}),
    ...(e.correlationId ? { trace: { id: e.correlationId } } : {}),
    labels: { ledgerline_outcome: e.outcome, ledgerline_event_type: e.eventType },
    ledgerline: {
      ...proofFields(r),
      requester_type: e.requester.type,
      ...(e.attributes ? { attributes: e.attributes } : {}),
    },
  };
}
