import "server-only";
import os from "node:os";
import { validateEvent, type EventType, type Outcome } from "@/lib/schemas/event.ts";
import type { Ledger } from "../ledger/ledger.ts";

// The audit of the auditors: what people do in Ledgerline is appended to the
// same tamper-evident log as the traffic they review, as entries whose source
// is the dashboard (or the CLI) and whose requester is the human.

export const DASHBOARD_SOURCE = "ledgerline:dashboard";
export const CLI_SOURCE = "ledgerline:cli";

export type Actor = {
  id: string;
  ip?: string;
  source?: string;
  /** requester.type of the record; people by default, `service` when a machine's credential acted. */
  type?: "user" | "service";
};

export type AuditRecord = {
  action: string;
  eventType: EventType;
  outcome: Outcome;
  target: { id: string; type?: string };
  reason?: string;
  attributes?: Record<string, unknown>;
};

/** The operator at the shell, for CLI changes: user@host. */
export function cliActor(): Actor {
  let user = "unknown";
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { id: `${user}@${os.hostname()}`, source: CLI_SOURCE };
}

/** Appends one meta-audit entry; throws when it cannot be recorded (callers fail closed). */
export async function recordAudit(ledger: Ledger, actor: Actor, r: AuditRecord): Promise<number> {
  const raw = {
    timestamp: new Date().toISOString(),
    eventType: r.eventType,
    requester: { id: actor.id || "unknown", type: actor.type ?? "user", ...(actor.ip ? { ip: actor.ip } : {}) },
    target: { id: r.target.id, service: "ledgerline", type: r.target.type ?? "dashboard" },
    action: r.action,
    outcome: r.outcome,
    ...(r.reason ? { reason: r.reason.slice(0, 1024) } : {}),
    ...(r.attributes && Object.keys(r.attributes).length ? { attributes: r.attributes } : {}),
  };
  let v = validateEvent(raw);
  if (!v.ok) {
    // Whatever a visitor typed (an odd email at sign-in) must not stop the record:
    // keep it as an escaped attribute instead of the requester id.
    v = validateEvent({
      ...raw,
      requester: { id: "invalid-identity", type: actor.type ?? "user" },
      attributes: { ...(raw.attributes ?? {}), claimedIdentity: JSON.stringify(actor.id).slice(0, 600) },
    });
    if (!v.ok)
      throw new Error(`meta-audit record is invalid: ${v.errors.map((e) => `${e.pointer} ${e.detail}`).join("; ")}`);
  }
  const res = await ledger.sequencer.append(actor.source ?? DASHBOARD_SOURCE, [v.event]);
  if (!res.ok) throw new Error("meta-audit record conflicted");
  return res.items[0]!.seq;
}
