import "server-only";
import { personalPointerProblem } from "@/lib/core/personal.ts";
import { sourceProblems } from "@/lib/schemas/identifier.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { nowIso } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { DECLARE_ACTION, UNDECLARE_ACTION } from "./verify-declarations.ts";
import * as store from "./personal-store.ts";

// Use cases for personal-field declarations (docs/retention.md § Erasure). A declaration
// changes what *future* leaves commit (v2); entries already stored keep the leaf they
// were sequenced with — a leaf never changes. Each change is a meta-audit entry first.

function checkInput(source: unknown, pointer: unknown): { source: string; pointer: string } {
  if (typeof source !== "string" || typeof pointer !== "string")
    throw new AppError(
      "bad_request",
      "Give a source (or * for every source) and a JSON pointer such as /requester/ip.",
    );
  if (source !== store.ALL_SOURCES) {
    const bad = sourceProblems(source);
    if (bad.length) throw new AppError("bad_request", `source ${JSON.stringify(source)}: ${bad.join("; ")}.`);
  }
  const problem = personalPointerProblem(pointer);
  if (problem) throw new AppError("bad_request", `pointer ${JSON.stringify(pointer)}: ${problem}.`);
  return { source, pointer };
}

export async function listPersonalFields(ledger: Ledger, p: Principal | null): Promise<store.PersonalFieldRow[]> {
  assertCan(p, "retention:manage");
  return store.listPersonalFields(ledger.db);
}

/** Declares `pointer` personal for `source` ('*' = every source): later events commit it (leaf v2). */
export async function declarePersonalField(
  ledger: Ledger,
  p: Principal | null,
  input: { source?: unknown; pointer?: unknown },
): Promise<store.PersonalFieldRow> {
  assertCan(p, "retention:manage");
  const v = checkInput(input.source, input.pointer);
  const seq = await recordAudit(ledger, actorOf(p), {
    action: DECLARE_ACTION,
    eventType: "write",
    outcome: "success",
    target: { id: `ledgerline://retention/personal-fields/${encodeURIComponent(v.source)}`, type: "personal-field" },
    attributes: { source: v.source, pointer: v.pointer },
  });
  const row = { ...v, updatedAt: nowIso(), updatedBy: p.email, auditSeq: seq };
  await store.upsertPersonalField(ledger.db, row);
  return row;
}

/** Stops committing `pointer` for `source`'s later events (stored leaves keep their commitments). */
export async function undeclarePersonalField(
  ledger: Ledger,
  p: Principal | null,
  input: { source?: unknown; pointer?: unknown },
): Promise<void> {
  assertCan(p, "retention:manage");
  const v = checkInput(input.source, input.pointer);
  const known = (await store.listPersonalFields(ledger.db)).some(
    (r) => r.source === v.source && r.pointer === v.pointer,
  );
  if (!known) throw new AppError("not_found", `${v.pointer} is not declared personal for ${v.source}.`);
  await recordAudit(ledger, actorOf(p), {
    action: UNDECLARE_ACTION,
    eventType: "delete",
    outcome: "success",
    target: { id: `ledgerline://retention/personal-fields/${encodeURIComponent(v.source)}`, type: "personal-field" },
    attributes: { source: v.source, pointer: v.pointer },
  });
  await store.deletePersonalField(ledger.db, v.source, v.pointer);
}
