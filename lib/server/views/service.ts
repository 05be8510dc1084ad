import "server-only";
import { canonicalParams, explorerQueryFromText, resolveExplorerParams } from "@/components/events/explorer-params.ts";
import type { z } from "zod";
import { uuidSchema } from "@/lib/schemas/api-params.ts";
import { createViewSchema, updateViewSchema, viewInputProblem } from "@/lib/schemas/saved-view.ts";
import { recordAudit, type AuditRecord } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { can } from "../auth/permissions.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import * as store from "./store.ts";
import type { SavedView } from "./store.ts";

// Saved views' use cases — GET/POST/PATCH/DELETE /api/v1/views, the explorer's
// "Save view" / "Views" menu and the overview's list call these. A view is a
// convenience, not evidence: what it selects is always re-read from the
// explorer's URL when opened. What changes what OTHER people see is recorded
// in the log before it happens (fail closed): creating a view, sharing or
// unsharing one, renaming or deleting a shared one. Renaming or deleting one's
// own private view changes nothing anyone else sees and is not recorded.

export type { SavedView } from "./store.ts";

export const VIEWS_TARGET = "ledgerline:views";

/** A successful change to saved views, in the meta-audit (fail closed: recorded before the change is made). */
function auditViews(
  ledger: Ledger,
  p: Principal,
  action: string,
  eventType: AuditRecord["eventType"],
  attributes: AuditRecord["attributes"],
) {
  return recordAudit(ledger, actorOf(p), {
    action,
    eventType,
    outcome: "success",
    target: { id: VIEWS_TARGET, type: "views" },
    attributes,
  });
}

/** Views a person may hold: enough for any team's standing questions, bounded so the menu stays a menu. */
export const MAX_VIEWS_PER_OWNER = 200;

/** A view as the caller sees it: plus whether they may rename/delete it. */
export type ViewListItem = SavedView & { mine: boolean; canDelete: boolean };

function describe(p: Principal, v: SavedView): ViewListItem {
  const mine = v.owner === p.email;
  return { ...v, mine, canDelete: mine || (v.shared && can(p.role, "views:moderate")) };
}

/** The caller's views and every shared one (events:read: a read token may list them). */
export async function listViews(ledger: Ledger, p: Principal | null): Promise<ViewListItem[]> {
  assertCan(p, "events:read");
  return (await store.listViews(ledger.db, p.email)).map((v) => describe(p, v));
}

/**
 * The explorer query a view keeps: the link's parameters in canonical order,
 * checked as the explorer checks them, without a cursor (a view is a question,
 * not a page of its answer). A preset stays a preset: `range=24h` is "the last
 * 24 h" whenever the view is opened.
 */
function viewQuery(text: string): string {
  const parsed = explorerQueryFromText(text);
  if (!parsed.ok) throw new AppError("bad_request", `query ${parsed.errors[0]!.detail}.`);
  const sp = parsed.value;
  sp.delete("cursor");
  sp.delete("view"); // the view being saved from is not part of the question
  const checked = resolveExplorerParams(sp, Date.now());
  if (!checked.ok) {
    const e = checked.errors[0]!;
    throw new AppError("bad_request", `query: parameter ${e.param} ${e.detail}.`, {
      errors: checked.errors.map((x) => ({ parameter: x.param, detail: x.detail })),
    });
  }
  return canonicalParams(sp).toString();
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", `Cannot save the view: ${viewInputProblem(r.error)}.`);
  return r.data;
}

function duplicate(name: string): AppError {
  return new AppError("conflict", `You already have a view named "${name}". Pick another name, or rename that one.`);
}

/** Saves the caller's filter and columns under a name (views:manage; recorded). */
export async function createView(ledger: Ledger, p: Principal | null, input: unknown): Promise<ViewListItem> {
  assertCan(p, "views:manage");
  const v = parseInput(createViewSchema, input);
  const query = viewQuery(v.query);
  if (await store.findViewByName(ledger.db, p.email, v.name)) throw duplicate(v.name);
  if ((await store.listViews(ledger.db, p.email)).filter((x) => x.owner === p.email).length >= MAX_VIEWS_PER_OWNER)
    throw new AppError(
      "conflict",
      `You have ${MAX_VIEWS_PER_OWNER} saved views, the most one person may keep. Delete one first.`,
    );
  const now = nowIso();
  const view: SavedView = {
    id: uuidv7(),
    owner: p.email,
    name: v.name,
    query,
    columns: v.columns,
    shared: v.shared,
    createdAt: now,
    updatedAt: now,
  };
  await auditViews(ledger, p, "views.create", "write", {
    viewId: view.id,
    name: view.name,
    query,
    shared: view.shared,
  });
  try {
    await store.insertView(ledger.db, view);
  } catch (e) {
    if (store.isDuplicateName(e)) throw duplicate(v.name); // a second tab saved the same name meanwhile
    throw e;
  }
  return describe(p, view);
}

async function existing(ledger: Ledger, p: Principal, id: string): Promise<SavedView> {
  const v = uuidSchema.safeParse(id).success ? await store.findView(ledger.db, id) : null;
  // Someone else's private view is as unknown as a missing one: its name is not the caller's to learn.
  if (!v || (v.owner !== p.email && !v.shared))
    throw new AppError("not_found", `No saved view ${id}. It may have been deleted.`);
  return v;
}

/** Renames and/or shares/unshares the caller's own view (views:manage; sharing, and renaming a shared view, recorded). */
export async function updateSavedView(
  ledger: Ledger,
  p: Principal | null,
  id: string,
  input: unknown,
): Promise<ViewListItem> {
  assertCan(p, "views:manage");
  const change = parseInput(updateViewSchema, input);
  const v = await existing(ledger, p, id);
  if (v.owner !== p.email)
    throw new AppError("forbidden", `Only ${v.owner}, who saved "${v.name}", may rename or share it.`);
  const name = change.name ?? v.name;
  const shared = change.shared ?? v.shared;
  if (name !== v.name && (await store.findViewByName(ledger.db, p.email, name))) throw duplicate(name);
  // Others see a shared view under its name: a new name is theirs to learn from the log.
  if (name !== v.name && (v.shared || shared))
    await auditViews(ledger, p, "views.rename", "modify", { viewId: v.id, from: v.name, name, query: v.query });
  if (shared !== v.shared)
    await auditViews(ledger, p, shared ? "views.share" : "views.unshare", "modify", {
      viewId: v.id,
      name,
      query: v.query,
    });
  const updatedAt = nowIso();
  try {
    await store.updateView(ledger.db, v.id, { name, shared, updatedAt });
  } catch (e) {
    if (store.isDuplicateName(e)) throw duplicate(name);
    throw e;
  }
  return describe(p, { ...v, name, shared, updatedAt });
}

/** Deletes a view: its owner, or an admin for a shared one (views:manage / views:moderate; shared ones recorded). */
export async function deleteSavedView(ledger: Ledger, p: Principal | null, id: string): Promise<{ deleted: string }> {
  assertCan(p, "views:manage");
  const v = await existing(ledger, p, id);
  if (v.owner !== p.email) {
    if (!can(p.role, "views:moderate"))
      throw new AppError("forbidden", `Only ${v.owner}, who saved "${v.name}", or an admin may delete it.`);
  }
  if (v.shared)
    await auditViews(ledger, p, "views.delete", "delete", {
      viewId: v.id,
      name: v.name,
      owner: v.owner,
      query: v.query,
    });
  await store.deleteView(ledger.db, v.id);
  return { deleted: v.id };
}
