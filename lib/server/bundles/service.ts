import "server-only";
import fs from "node:fs";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { personalPointerProblem } from "@/lib/core/personal.ts";
import { uuidSchema } from "@/lib/schemas/api-params.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import { auditableFilter, countEvents } from "../events/search.ts";
import { bundleFile } from "./build.ts";
import { readBundleWitnesses } from "./witnessed.ts";
import { ensureBundleWorker, liveProgress, type BundleRuntime } from "./queue.ts";
import { findBundle, insertBundle, listBundleRows, pendingBundleCount, serializeBundle, type Bundle } from "./store.ts";

// What people and scripts may do with bundles: create (bundles:create), list, look
// at and download (bundles:read). Creation and every download are meta-audit
// entries, recorded before anything happens (fail closed).

/** The target id of bundle meta-audit entries. */
export const BUNDLES_TARGET = "ledgerline:bundles";

function withLive(ledger: BundleRuntime, b: Bundle): Bundle {
  const live = b.status === "building" ? liveProgress(ledger, b.id) : null;
  return live ? { ...b, progress: live } : b;
}

/** Retry-After for a user at their bundle limit: a small bundle builds in seconds, a large one in minutes. */
const PENDING_RETRY_AFTER_S = 30;

/** Personal-field pointers to withhold from a bundle (`--withhold`), at most this many. */
const MAX_WITHHELD = 32;

/** The withhold list checked and normalized (sorted, unique); a bad pointer is a 400 naming it. */
function normalizeWithheld(raw: readonly string[]): string[] {
  if (raw.length > MAX_WITHHELD)
    throw new AppError("bad_request", `At most ${MAX_WITHHELD} fields can be withheld from one bundle.`);
  for (const [i, pointer] of raw.entries()) {
    const problem = personalPointerProblem(pointer);
    if (problem)
      throw new AppError("bad_request", `Cannot withhold ${JSON.stringify(pointer.slice(0, 200))}: ${problem}.`, {
        errors: [{ pointer: `/withhold/${i}`, detail: problem }],
      });
  }
  return [...new Set(raw)].sort();
}

/**
 * Queues a bundle of `filter`. `opts.withhold`: personal-field pointers (JSON pointers, e.g.
 * `/requester/ip`) whose values the bundle must not disclose — each v2 entry carries their
 * commitment only, and the manifest names them (docs/bundles.md § Personal fields).
 */
export async function createBundle(
  ledger: BundleRuntime,
  p: Principal | null,
  filter: EventFilter,
  opts: { withhold?: readonly string[] } = {},
): Promise<{ id: string; withheld: string[] }> {
  assertCan(p, "bundles:create");
  const withheld = normalizeWithheld(opts.withhold ?? []);
  const { id } = await ledger.bundles.creating.run(() => createUnlocked(ledger, p, filter, withheld));
  return { id, withheld };
}

async function createUnlocked(
  ledger: BundleRuntime,
  p: Principal,
  filter: EventFilter,
  withheld: string[],
): Promise<{ id: string }> {
  // Each bundle is a full export built on this server's disk and CPU: bounded per user.
  const limit = ledger.config.maxPendingBundles;
  const pending = await pendingBundleCount(ledger.db, p.email);
  if (pending >= limit) {
    throw new AppError(
      "rate_limited",
      `You have ${pending} bundles queued or building (at most ${limit} at once, LEDGERLINE_MAX_PENDING_BUNDLES); retry when one is ready — /bundles shows their progress.`,
      { retryAfter: PENDING_RETRY_AFTER_S },
    );
  }
  const id = uuidv7();
  await recordAudit(ledger, actorOf(p), {
    action: "bundles.create",
    eventType: "read",
    outcome: "success",
    target: { id: `${BUNDLES_TARGET}/${id}`, type: "bundle" },
    // What was held back is part of what was exported: the meta-audit entry says so.
    attributes: { ...auditableFilter(filter), ...(withheld.length ? { withheld: withheld.join(",") } : {}) },
  });
  await insertBundle(ledger.db, { id, createdBy: p.email, createdAt: nowIso(), filter, withheld });
  await ensureBundleWorker(ledger);
  return { id };
}

export type BundlePreview = { filter: EventFilter; count: number };

/**
 * What a bundle of this filter would hold if created now: the (already resolved,
 * absolute) filter and the explorer's count of it — shown before the user
 * confirms, so nobody exports a selection they did not see. Needs bundles:create.
 */
export async function previewBundle(
  ledger: BundleRuntime,
  p: Principal | null,
  filter: EventFilter,
): Promise<BundlePreview> {
  assertCan(p, "bundles:create");
  return { filter, count: await countEvents(ledger, p, filter) };
}

export async function listBundles(ledger: BundleRuntime, p: Principal | null): Promise<Bundle[]> {
  assertCan(p, "bundles:read");
  await ensureBundleWorker(ledger);
  return (await listBundleRows(ledger.db)).map((r) => withLive(ledger, serializeBundle(r)));
}

export async function getBundle(ledger: BundleRuntime, p: Principal | null, id: string): Promise<Bundle> {
  assertCan(p, "bundles:read");
  await ensureBundleWorker(ledger);
  const row = uuidSchema.safeParse(id).success ? await findBundle(ledger.db, id) : undefined;
  if (!row) throw new AppError("not_found", `No bundle with id ${id.slice(0, 64)}.`);
  const b = withLive(ledger, serializeBundle(row));
  // Which witnesses cosigned its checkpoint is read back from the bundle itself (manifest.json),
  // so what the page says is what the auditor gets.
  if (b.status !== "ready") return b;
  return { ...b, witnesses: readBundleWitnesses(bundleFile(ledger.config.dataDir, b.id)) };
}

export type BundleDownload = { file: string; size: number; sha256: string; filename: string };

/** A ready bundle's file for download; records the download first (fail closed). */
export async function openBundleDownload(
  ledger: BundleRuntime,
  p: Principal | null,
  id: string,
): Promise<BundleDownload> {
  const b = await getBundle(ledger, p, id);
  if (b.status !== "ready" || b.size === null || b.sha256 === null) {
    throw new AppError(
      "conflict",
      b.status === "failed"
        ? `Bundle ${id} failed: ${b.error}`
        : `Bundle ${id} is ${b.status}; download it when it is ready.`,
      { status: b.status },
    );
  }
  const file = bundleFile(ledger.config.dataDir, id);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new AppError(
      "not_found",
      `The file of bundle ${id} is gone from this server's data directory; create the bundle again.`,
    );
  }
  if (size !== b.size)
    throw new AppError(
      "conflict",
      `The file of bundle ${id} changed on disk (${size} bytes, built as ${b.size}); create the bundle again.`,
    );
  await recordAudit(ledger, actorOf(p!), {
    action: "bundles.download",
    eventType: "read",
    outcome: "success",
    target: { id: `${BUNDLES_TARGET}/${id}`, type: "bundle" },
    attributes: { sha256: b.sha256, size: b.size },
  });
  return { file, size, sha256: b.sha256, filename: `ledgerline-bundle-${id}.zip` };
}
