import "server-only";
import { runIdSchema } from "@/lib/schemas/api-params.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import type { Cosigner } from "../cosigning/cosigner.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../db/ids.ts";
import { INTEGRITY_TARGET } from "./alerts.ts";
import { readState, writeStateKeepingAcks } from "./state.ts";
import type { Run } from "./runs.ts";
import { getIntegrityStatus, getRun, type IntegrityStatus } from "./status.ts";
import { runningRun, startFullPass, type IntegrityRuntime } from "./verifier.ts";

// The integrity center's use cases, shared by GET/POST /api/v1/integrity*, the
// integrity page and its server action: each checks integrity:read first and
// appends its meta-audit entry (fail closed: no record, no answer).

async function recordIntegrityView(rt: IntegrityRuntime, p: Principal): Promise<void> {
  if (p.kind !== "user") return;
  await recordAudit(rt, actorOf(p), {
    action: "integrity.view",
    eventType: "read",
    outcome: "success",
    target: { id: INTEGRITY_TARGET, type: "integrity" },
    attributes: { via: p.via },
  });
}

/** integrity:read, then the status; each view by a person is appended to the log. */
export async function viewIntegrityStatus(
  rt: IntegrityRuntime & { cosigner?: Cosigner },
  p: Principal | null,
): Promise<IntegrityStatus> {
  assertCan(p, "integrity:read");
  const status = await getIntegrityStatus(rt);
  await recordIntegrityView(rt, p);
  return status;
}

/** One run with its progress (integrity:read). */
export async function viewRun(rt: IntegrityRuntime, p: Principal | null, id: string): Promise<Run> {
  assertCan(p, "integrity:read");
  const run = runIdSchema.safeParse(id).success ? await getRun(rt, id) : null;
  if (!run) throw new AppError("not_found", `No verification run ${id.slice(0, 64)}.`);
  return run;
}

/**
 * Starts a full verification pass in the background and returns its run id
 * (integrity:read; audited before it starts). A pass already running is a
 * conflict naming it ({ id }), answered before anything is recorded.
 */
export async function requestFullPass(rt: IntegrityRuntime, p: Principal | null): Promise<{ id: string }> {
  // Starting a pass is its own permission (admin, auditor): a pass reads the whole log and
  // loads the server, so a read-only role or token cannot start one at will.
  assertCan(p, "integrity:run");
  const running = runningRun(rt);
  if (running?.mode === "full") {
    throw new AppError("conflict", `A full verification pass is already running (run ${running.id}).`, {
      id: running.id,
    });
  }
  // Fail closed: a pass nobody can see requested is not started.
  await recordAudit(rt, actorOf(p), {
    action: "integrity.verify",
    eventType: "execute",
    outcome: "success",
    target: { id: INTEGRITY_TARGET, type: "integrity" },
  });
  try {
    return { id: await startFullPass(rt, { id: p.email }) };
  } catch (e) {
    // Another instance (or a race) started one between the check and here: same answer, with its id.
    if (e instanceof AppError && e.code === "conflict")
      throw new AppError("conflict", e.detail, { id: e.extras.runId });
    throw e;
  }
}

/**
 * An admin acknowledges deleted checkpoints (integrity:acknowledge): they stay
 * listed, no longer a failure. Recorded in the log first (fail closed: no
 * record, no acknowledgement), with each checkpoint's size and signing time.
 */
export async function acknowledgeDeletedCheckpoints(
  rt: IntegrityRuntime,
  p: Principal | null,
  input: { treeSizes: number[]; reason: string },
): Promise<{ acknowledged: number[] }> {
  assertCan(p, "integrity:acknowledge");
  const state = readState(rt.config.dataDir);
  const open = (state?.deletedCheckpoints ?? []).filter((d) => !d.acknowledged && input.treeSizes.includes(d.treeSize));
  const unknown = input.treeSizes.filter((t) => !open.some((d) => d.treeSize === t));
  if (unknown.length || !state) {
    throw new AppError(
      "not_found",
      `No unacknowledged deleted checkpoint of tree size ${unknown.join(", ")}: reload the integrity page for the current list.`,
    );
  }
  await recordAudit(rt, actorOf(p), {
    action: "integrity.acknowledge",
    eventType: "modify",
    outcome: "success",
    target: { id: INTEGRITY_TARGET, type: "integrity" },
    reason: input.reason,
    attributes: { deletedCheckpoints: open.map((d) => `${d.treeSize}@${d.signedAt}`).join(", ") },
  });
  const by = { by: p.email, at: nowIso() };
  writeStateKeepingAcks(rt.config.dataDir, {
    ...state,
    deletedCheckpoints: state.deletedCheckpoints!.map((d) => (open.includes(d) ? { ...d, acknowledged: by } : d)),
  });
  return { acknowledged: open.map((d) => d.treeSize) };
}
