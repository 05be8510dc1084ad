import "server-only";
import crypto from "node:crypto";
import { siemDestinationInputSchema, siemReplaySchema, type SiemDestinationInput } from "@/lib/schemas/siem.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { nowIso } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { latestCheckpointRow } from "../ledger/store/checkpoints.ts";
import { logHead } from "../ledger/store/entries.ts";
import {
  deleteDestination,
  destinationById,
  insertDestination,
  listDestinations,
  setCursorAndState,
  type Destination,
} from "./store.ts";

// The SIEM use cases, shared by /api/v1/siem, the admin page and `ledgerline siem`: each
// takes the principal, checks it, and records every change as a meta-audit entry (never
// the secret). A view never returns the secret, only whether one is set.

export type DestinationView = Omit<Destination, "secret"> & {
  hasSecret: boolean;
  /** Entries a signed checkpoint covers that this destination has not acknowledged yet. */
  lag: number;
};

function parse<T>(
  r:
    { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } },
  what: string,
): T {
  if (r.success) return r.data;
  const issues = r.error.issues;
  throw new AppError(
    "validation",
    `${what}: ${issues.map((i) => `${i.path.join(".") || "(body)"} ${i.message}`).join("; ")}.`,
    {
      title: `Invalid ${what}`,
      errors: issues.map((i) => ({ pointer: `/${i.path.map(String).join("/")}`, detail: i.message })),
    },
  );
}

async function audit(
  ledger: Ledger,
  p: Principal,
  action: string,
  d: Pick<Destination, "name" | "kind" | "url">,
  extra: Record<string, unknown> = {},
) {
  await recordAudit(ledger, actorOf(p), {
    action,
    eventType: action.endsWith(".delete") ? "delete" : action.endsWith(".create") ? "write" : "modify",
    outcome: "success",
    target: { id: `ledgerline://siem/${d.name}`, type: "siem-destination" },
    attributes: { destination: d.name, kind: d.kind, url: d.url, ...extra },
  });
}

const view = (d: Destination, covered: number): DestinationView => {
  const { secret, ...rest } = d;
  return { ...rest, hasSecret: secret !== null, lag: Math.max(0, covered - d.cursorSeq) };
};

export async function listSiemDestinations(ledger: Ledger, p: Principal): Promise<DestinationView[]> {
  assertCan(p, "siem:read");
  const covered = (await latestCheckpointRow(ledger.db))?.tree_size ?? 0;
  return (await listDestinations(ledger.db)).map((d) => view(d, covered));
}

async function mustFind(ledger: Ledger, id: string): Promise<Destination> {
  const d = await destinationById(ledger.db, id);
  if (!d) throw new AppError("not_found", `No SIEM destination ${id}. List them with GET /api/v1/siem/destinations.`);
  return d;
}

export async function createSiemDestination(ledger: Ledger, p: Principal, input: SiemDestinationInput) {
  assertCan(p, "siem:manage");
  const d = parse(siemDestinationInputSchema.safeParse(input), "SIEM destination");
  if ((await listDestinations(ledger.db)).some((x) => x.name === d.name))
    throw new AppError(
      "conflict",
      `A SIEM destination named ${d.name} exists already; pick another name or delete it first.`,
    );
  const start = d.startAfterSeq;
  const cursorSeq = start === "beginning" ? 0 : start === "now" ? await logHead(ledger.db) : start;
  const id = crypto.randomUUID();
  const row = {
    id,
    name: d.name,
    kind: d.kind,
    format: d.format,
    url: d.url,
    options: d.options,
    secret: d.secret ?? null,
  };
  await insertDestination(ledger.db, { ...row, cursorSeq, createdBy: p.email }, nowIso());
  await audit(ledger, p, "siem.destination.create", row, { format: d.format, startAfterSeq: cursorSeq });
  return { id, name: d.name, cursorSeq };
}

/** Sends everything from `fromSeq` again (at-least-once: the receiver may see records twice). */
export async function replaySiemDestination(ledger: Ledger, p: Principal, id: string, input: { fromSeq: number }) {
  assertCan(p, "siem:manage");
  const { fromSeq } = parse(siemReplaySchema.safeParse(input), "replay");
  const d = await mustFind(ledger, id);
  await setCursorAndState(ledger.db, id, { cursorSeq: fromSeq - 1, state: "active" }, nowIso());
  await audit(ledger, p, "siem.destination.replay", d, { fromSeq, previousCursor: d.cursorSeq });
  return { id, cursorSeq: fromSeq - 1 };
}

/** Pause, or resume (also after a dead letter: the batch after the cursor is tried again). */
export async function setSiemDestinationState(ledger: Ledger, p: Principal, id: string, state: "active" | "paused") {
  assertCan(p, "siem:manage");
  const d = await mustFind(ledger, id);
  await setCursorAndState(ledger.db, id, { state }, nowIso());
  await audit(ledger, p, state === "active" ? "siem.destination.resume" : "siem.destination.pause", d, {
    previousState: d.state,
  });
  return { id, state };
}

export async function deleteSiemDestination(ledger: Ledger, p: Principal, id: string) {
  assertCan(p, "siem:manage");
  const d = await mustFind(ledger, id);
  await deleteDestination(ledger.db, id);
  await audit(ledger, p, "siem.destination.delete", d, { cursorSeq: d.cursorSeq, delivered: d.delivered });
  return { id, deleted: true };
}
