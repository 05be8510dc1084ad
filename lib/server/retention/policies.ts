import "server-only";
import { normalizeFilter } from "@/lib/core/event-filter.ts";
import {
  DEFAULT_POLICY,
  PCI_MIN_DAYS,
  holdIdSchema,
  legalHoldInputSchema,
  policyNameSchema,
  retentionPolicyInputSchema,
} from "@/lib/schemas/retention.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { randomToken, nowIso } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import * as store from "./store.ts";

// Use cases for retention policies and legal holds (docs/retention.md). Each
// checks retention:manage, appends its meta-audit entry first (fail closed),
// then changes the configuration row, which remembers that entry's seq.

export type RetentionState = { policies: store.PolicyRow[]; holds: store.HoldRow[] };

function invalid(issues: { path: PropertyKey[]; message: string }[]): AppError {
  const text = issues.map((i) => `${i.path.length ? i.path.join(".") : "(body)"} ${i.message}`).join("; ");
  return new AppError("bad_request", `Invalid retention input: ${text}.`);
}

export async function listRetention(ledger: Ledger, p: Principal | null): Promise<RetentionState> {
  assertCan(p, "retention:manage");
  return { policies: await store.listPolicies(ledger.db), holds: await store.listHolds(ledger.db) };
}

/** Creates or changes a policy (the default one included). Refuses < 365 days without the acknowledgement. */
export async function setRetentionPolicy(
  ledger: Ledger,
  p: Principal | null,
  name: string,
  input: unknown,
): Promise<store.PolicyRow> {
  assertCan(p, "retention:manage");
  const n = policyNameSchema.safeParse(name);
  if (!n.success) throw invalid(n.error.issues.map((i) => ({ ...i, path: ["name"] })));
  const v = retentionPolicyInputSchema.safeParse(input);
  if (!v.success) throw invalid(v.error.issues);
  const filter = normalizeFilter(v.data.filter);
  if (n.data === DEFAULT_POLICY && Object.keys(filter).length > 0) {
    throw new AppError(
      "bad_request",
      "The default policy covers every entry no other policy matches: it takes no filter.",
    );
  }
  const before = (await store.listPolicies(ledger.db)).find((x) => x.name === n.data);
  const belowPci = v.data.days !== null && v.data.days < PCI_MIN_DAYS;
  // Not given: the policy keeps its archive setting (a duration change does not turn archiving off).
  const archive = v.data.archive ?? before?.archive ?? false;
  const seq = await recordAudit(ledger, actorOf(p), {
    action: "retention.policy.set",
    eventType: before ? "modify" : "write",
    outcome: "success",
    target: { id: `ledgerline://retention/policies/${n.data}`, type: "retention-policy" },
    ...(belowPci ? { reason: `below the ${PCI_MIN_DAYS} days of PCI DSS 10.5.1, acknowledged` } : {}),
    attributes: {
      days: v.data.days ?? "forever",
      filter: JSON.stringify(filter),
      archive,
      ...(before
        ? {
            previousDays: before.days ?? "forever",
            previousFilter: JSON.stringify(before.filter),
            previousArchive: before.archive,
          }
        : {}),
    },
  });
  const row = {
    name: n.data,
    filter,
    days: v.data.days,
    updatedAt: nowIso(),
    updatedBy: p.email,
    auditSeq: seq,
    archive,
  };
  await store.upsertPolicy(ledger.db, row);
  return row;
}

/** Deletes a named policy (its entries fall back to the default); the default itself is set to forever instead. */
export async function deleteRetentionPolicy(ledger: Ledger, p: Principal | null, name: string): Promise<void> {
  assertCan(p, "retention:manage");
  if (name === DEFAULT_POLICY) {
    throw new AppError("bad_request", 'The default policy cannot be deleted; set it to keep for ever ("days": null).');
  }
  const before = (await store.listPolicies(ledger.db)).find((x) => x.name === name);
  if (!before) throw new AppError("not_found", `No retention policy named ${name}.`);
  await recordAudit(ledger, actorOf(p), {
    action: "retention.policy.delete",
    eventType: "delete",
    outcome: "success",
    target: { id: `ledgerline://retention/policies/${name}`, type: "retention-policy" },
    attributes: { previousDays: before.days ?? "forever", previousFilter: JSON.stringify(before.filter) },
  });
  await store.deletePolicy(ledger.db, name);
}

export async function placeLegalHold(ledger: Ledger, p: Principal | null, input: unknown): Promise<store.HoldRow> {
  assertCan(p, "retention:manage");
  const v = legalHoldInputSchema.safeParse(input);
  if (!v.success) throw invalid(v.error.issues);
  const id = `hold_${randomToken(9)}`;
  const filter = normalizeFilter(v.data.filter);
  const seq = await recordAudit(ledger, actorOf(p), {
    action: "retention.hold.place",
    eventType: "write",
    outcome: "success",
    target: { id: `ledgerline://retention/holds/${id}`, type: "legal-hold" },
    reason: v.data.reason,
    attributes: { caseRef: v.data.caseRef, filter: JSON.stringify(filter) },
  });
  const row: store.HoldRow = {
    id,
    filter,
    reason: v.data.reason,
    caseRef: v.data.caseRef,
    placedAt: nowIso(),
    placedBy: p.email,
    placedSeq: seq,
    releasedAt: null,
    releasedBy: null,
    releasedSeq: null,
  };
  await store.insertHold(ledger.db, row);
  return row;
}

export async function releaseLegalHold(
  ledger: Ledger,
  p: Principal | null,
  id: string,
  reason?: string,
): Promise<store.HoldRow> {
  assertCan(p, "retention:manage");
  if (!holdIdSchema.safeParse(id).success)
    throw new AppError("bad_request", `${JSON.stringify(id)} is not a legal hold id (hold_…).`);
  const hold = await store.holdById(ledger.db, id);
  if (!hold) throw new AppError("not_found", `No legal hold ${id}.`);
  if (hold.releasedAt)
    throw new AppError(
      "conflict",
      `Legal hold ${id} was already released on ${hold.releasedAt} by ${hold.releasedBy}.`,
    );
  const seq = await recordAudit(ledger, actorOf(p), {
    action: "retention.hold.release",
    eventType: "delete",
    outcome: "success",
    target: { id: `ledgerline://retention/holds/${id}`, type: "legal-hold" },
    ...(reason ? { reason } : {}),
    attributes: { caseRef: hold.caseRef, placedSeq: hold.placedSeq },
  });
  const at = nowIso();
  await store.markHoldReleased(ledger.db, id, at, p.email, seq);
  return { ...hold, releasedAt: at, releasedBy: p.email, releasedSeq: seq };
}
