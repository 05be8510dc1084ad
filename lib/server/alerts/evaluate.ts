import "server-only";
import { matchesPattern, parsePattern } from "@/lib/core/event-filter.ts";
import {
  baselineVerdict,
  baselineWindows,
  countVerdict,
  currentWindow,
  silentVerdict,
  type Verdict,
} from "@/lib/core/alerts/condition.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { countInWindow, integrityFailuresAfter, INTEGRITY_SOURCES, sourceActivity } from "./counts.ts";
import { ALERTS_ACTOR, fireAlert, resolveAlertRow } from "./states.ts";
import { openAlerts, setRuleCursor, updateOpenReading, type AlertRule } from "./store.ts";

// One evaluation of one rule: what its condition reads now (rollups, never a scan of
// entries for source/outcome filters), then the alerts it opens, updates and resolves.
// Count, baseline and silent alerts resolve by themselves when the condition clears;
// integrity alerts stay until a person resolves them (a failure does not heal).

export type Reading = { key: string; verdict: Verdict };

async function readCount(ledger: Ledger, rule: AlertRule, nowMs: number): Promise<Reading[]> {
  const c = rule.condition;
  if (c.kind === "count") {
    const n = await countInWindow(ledger.db, rule.filter, currentWindow(nowMs, c.windowMinutes));
    return [{ key: "", verdict: countVerdict(n, c) }];
  }
  if (c.kind !== "baseline") return [];
  const w = currentWindow(nowMs, c.windowMinutes);
  const n = await countInWindow(ledger.db, rule.filter, w);
  const history: number[] = [];
  for (const past of baselineWindows(w, c.days)) history.push(await countInWindow(ledger.db, rule.filter, past));
  return [{ key: "", verdict: baselineVerdict(n, history, c) }];
}

/**
 * The sources a silent rule watches: the filter's exact source, else the source of every
 * active ingest key (matching the filter's source pattern, if any). A source expected
 * but never seen counts from its key's creation (or the rule's).
 */
async function watchedSources(ledger: Ledger, rule: AlertRule): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const p = rule.filter.source === undefined ? null : parsePattern(rule.filter.source);
  if (p && !p.negate && !p.prefix) {
    out.set(p.value, Date.parse(rule.createdAt));
    return out;
  }
  const keys = await ledger.prisma.ingestKey.findMany({
    where: { revokedAt: null },
    select: { source: true, createdAt: true },
  });
  for (const k of keys) {
    if (rule.filter.source !== undefined && !matchesPattern(rule.filter.source, k.source)) continue;
    const since = Date.parse(k.createdAt);
    out.set(k.source, Math.min(out.get(k.source) ?? since, since));
  }
  return out;
}

async function readSilent(ledger: Ledger, rule: AlertRule, nowMs: number): Promise<Reading[]> {
  if (rule.condition.kind !== "silent") return [];
  const minutes = rule.condition.minutes;
  const activity = await sourceActivity(ledger.db);
  return [...(await watchedSources(ledger, rule))].map(([source, expectedSince]) => ({
    key: source,
    verdict: silentVerdict(source, activity.get(source)?.lastMs ?? expectedSince, nowMs, minutes),
  }));
}

/** Opens, updates and (for self-clearing conditions) resolves the rule's alerts from its readings. */
async function reconcile(ledger: Ledger, rule: AlertRule, readings: Reading[], nowMs: number): Promise<number> {
  const open = new Map((await openAlerts(ledger.db, rule.id)).map((a) => [a.key, a]));
  let fired = 0;
  for (const { key, verdict } of readings) {
    const a = open.get(key);
    open.delete(key);
    if (verdict.firing && !a) fired += (await fireAlert(ledger, rule, key, verdict, nowMs)) ? 1 : 0;
    else if (verdict.firing && a) await updateOpenReading(ledger.db, a.id, verdict.value, verdict.summary);
    else if (a)
      await resolveAlertRow(
        ledger,
        ALERTS_ACTOR,
        { ...a, value: verdict.value },
        rule,
        { cleared: verdict.summary },
        nowMs,
      );
  }
  // Keys no longer watched (a revoked key's source, a disabled rule): nothing to alert on.
  for (const a of open.values())
    await resolveAlertRow(ledger, ALERTS_ACTOR, a, rule, { cleared: "no longer watched" }, nowMs);
  return fired;
}

async function evaluateIntegrity(ledger: Ledger, rule: AlertRule, nowMs: number): Promise<number> {
  const activity = await sourceActivity(ledger.db);
  const newest = Math.max(0, ...INTEGRITY_SOURCES.map((s) => activity.get(s)?.lastSeq ?? 0));
  if (newest <= rule.cursorSeq) return 0;
  const failures = await integrityFailuresAfter(ledger.db, rule.cursorSeq);
  if (!failures.length) return 0;
  const actions = [...new Set(failures.map((f) => f.action))].join(", ");
  const verdict: Verdict = {
    firing: true,
    value: failures.length,
    threshold: 1,
    summary: `${failures.length} integrity or witness failure(s) logged (${actions}), first at seq ${failures[0]!.seq}`,
  };
  const open = (await openAlerts(ledger.db, rule.id))[0];
  let fired = 0;
  if (open) await updateOpenReading(ledger.db, open.id, open.value + failures.length, verdict.summary);
  else fired = (await fireAlert(ledger, rule, "", verdict, nowMs)) ? 1 : 0;
  await setRuleCursor(ledger.db, rule.id, failures[failures.length - 1]!.seq);
  return fired;
}

/** Evaluates one rule at `nowMs`; the number of alerts it opened. */
export async function evaluateRule(ledger: Ledger, rule: AlertRule, nowMs: number): Promise<number> {
  if (!rule.enabled) return reconcile(ledger, rule, [], nowMs);
  if (rule.condition.kind === "integrity") return evaluateIntegrity(ledger, rule, nowMs);
  const readings =
    rule.condition.kind === "silent" ? await readSilent(ledger, rule, nowMs) : await readCount(ledger, rule, nowMs);
  return reconcile(ledger, rule, readings, nowMs);
}
