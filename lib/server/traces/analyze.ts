import "server-only";
import type { Outcome } from "@/lib/schemas/event.ts";

// What a trace's entries say once laid side by side: who called whom (lanes and
// a service graph), how long between hops (gaps), and whether the senders'
// clocks agree with the order the ledger received their entries (clock
// honesty). Pure: no database, no clock; trace.ts feeds it rows.
//
// Lanes and graph nodes are machine identities, named exactly as the entries
// name them: a requester is its `requester.id` (a SPIFFE id, a workload name…);
// a target is its `target.service` when the sender gave one, else its
// `target.id`. No mapping between the two spellings is guessed (a SPIFFE id
// `…/sa/orders` and a target service `orders` stay two nodes), so nothing is
// attributed to a service that did not report it. An entry is drawn in its
// requester's lane (the actor) with an arrival in its target's lane.

/** The columns the analysis needs, one per entry, in (timestamp, seq) order. */
export type TraceFact = {
  seq: number;
  ts: string;
  receivedAt: string;
  requesterId: string;
  requesterType: string;
  targetId: string;
  targetService: string | null;
  outcome: Outcome;
  action: string | null;
};

export type OutcomeCounts = { success: number; failure: number; denied: number };

export type TraceLane = {
  id: string;
  label: string;
  /** "requester" when it only called, "target" when it was only called, "both". */
  role: "requester" | "target" | "both";
  /** The requester type the entries gave (service, workload, job, device, user), when it called. */
  requesterType?: string;
  /** Accesses it made, by outcome. */
  sent: OutcomeCounts;
  /** Accesses made to it, by outcome. */
  received: OutcomeCounts;
  firstMs: number;
  lastMs: number;
};

export type TraceEdge = OutcomeCounts & { from: string; to: string; count: number; actions: string[] };
export type TraceGraph = { nodes: Array<{ id: string; label: string; role: TraceLane["role"] }>; edges: TraceEdge[] };

export type TraceGap = { afterSeq: number; beforeSeq: number; startMs: number; endMs: number; ms: number };

export type ClockPoint = { seq: number; ts: string; receivedAt: string; lane: string };
export type ClockFinding =
  /** `earlier` reached the ledger first yet claims a time more than the tolerance after `later`. */
  | { kind: "order"; earlier: ClockPoint; later: ClockPoint; skewMs: number }
  /** The entry claims a time more than the tolerance after the ledger received it. */
  | { kind: "future"; entry: ClockPoint; skewMs: number };

export type ClockReport = {
  toleranceMs: number;
  findings: ClockFinding[];
  total: number;
  truncated: boolean;
  seqs: number[];
};

export type LaneBucket = OutcomeCounts & { i: number };
/** Per lane: accesses it made (`sent`) and accesses made to it (`received`), per time bucket. */
export type TraceBuckets = {
  bucketMs: number;
  count: number;
  lanes: Array<{ lane: string; sent: LaneBucket[]; received: LaneBucket[] }>;
};

export type GapRule = { minMs: number; share: number; hardMs: number };

export type AnalyzeOptions = {
  gap?: Partial<GapRule>;
  clockToleranceMs?: number;
  /** Findings listed at most (the total is still counted). */
  maxFindings?: number;
  /** Aggregate marks into time buckets when there are more entries than this. */
  aggregateAbove?: number;
  buckets?: number;
};

export type TraceAnalysis = {
  start: string | null;
  end: string | null;
  durationMs: number;
  lanes: TraceLane[];
  graph: TraceGraph;
  gaps: TraceGap[];
  gapThresholdMs: number;
  clock: ClockReport;
  buckets: TraceBuckets | null;
};

export const DEFAULT_GAP_RULE: GapRule = { minMs: 1_000, share: 0.25, hardMs: 30_000 };
export const DEFAULT_CLOCK_TOLERANCE_MS = 1_000;
export const DEFAULT_AGGREGATE_ABOVE = 1_500;

/** The target node of an entry: its service when named, else the target id itself. */
export function targetNode(f: Pick<TraceFact, "targetId" | "targetService">): string {
  return f.targetService ?? f.targetId;
}

/** A readable lane name: a SPIFFE id without its trust domain, anything else as given (shortened). */
export function laneLabel(id: string): string {
  const spiffe = /^spiffe:\/\/[^/]+\/(.+)$/.exec(id);
  const s = spiffe ? spiffe[1]! : id;
  return s.length > 48 ? `${s.slice(0, 22)}…${s.slice(-22)}` : s;
}

/**
 * A gap is a silence between consecutive entries (timestamp order) of at least
 * max(minMs, min(hardMs, share × trace duration)): long relative to the trace, but
 * never under minMs (sub-second pauses are noise) and always at hardMs (half a
 * minute without a hop is long whatever the trace's length).
 */
export function gapThreshold(durationMs: number, rule: GapRule = DEFAULT_GAP_RULE): number {
  return Math.max(rule.minMs, Math.min(rule.hardMs, rule.share * durationMs));
}

const zero = (): OutcomeCounts => ({ success: 0, failure: 0, denied: 0 });

/**
 * Lanes, graph, gaps, clock findings and (for large traces) per-lane time buckets.
 * Invariants: `facts` must be in (timestamp, seq) order and is never reordered;
 * relative times are from the first fact's timestamp; every finding names entries
 * that exist in `facts` (nothing is inferred for sources that did not report).
 */
export function analyzeTrace(facts: TraceFact[], opts: AnalyzeOptions = {}): TraceAnalysis {
  const rule = { ...DEFAULT_GAP_RULE, ...opts.gap };
  const toleranceMs = opts.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
  const maxFindings = opts.maxFindings ?? 100;
  if (facts.length === 0) {
    return {
      start: null,
      end: null,
      durationMs: 0,
      lanes: [],
      graph: { nodes: [], edges: [] },
      gaps: [],
      gapThresholdMs: gapThreshold(0, rule),
      clock: { toleranceMs, findings: [], total: 0, truncated: false, seqs: [] },
      buckets: null,
    };
  }
  const t0 = Date.parse(facts[0]!.ts);
  const rel = facts.map((f) => Date.parse(f.ts) - t0);
  const durationMs = rel[rel.length - 1]!;

  const { laneList, edgeList } = lanesAndEdges(facts, rel);

  // Gaps between consecutive entries in timestamp order.
  const gapThresholdMs = gapThreshold(durationMs, rule);
  const gaps: TraceGap[] = [];
  for (let i = 1; i < facts.length; i++) {
    const ms = rel[i]! - rel[i - 1]!;
    if (ms >= gapThresholdMs)
      gaps.push({ afterSeq: facts[i - 1]!.seq, beforeSeq: facts[i]!.seq, startMs: rel[i - 1]!, endMs: rel[i]!, ms });
  }

  return {
    start: facts[0]!.ts,
    end: facts[facts.length - 1]!.ts,
    durationMs,
    lanes: laneList,
    graph: { nodes: laneList.map((l) => ({ id: l.id, label: l.label, role: l.role })), edges: edgeList },
    gaps,
    gapThresholdMs,
    clock: checkClocks(facts, toleranceMs, maxFindings),
    buckets:
      facts.length > (opts.aggregateAbove ?? DEFAULT_AGGREGATE_ABOVE)
        ? bucketize(
            facts,
            rel,
            durationMs,
            opts.buckets ?? 120,
            laneList.map((l) => l.id),
          )
        : null,
  };
}

/** Lanes in order of first appearance (requester before target within an entry), and who called whom. */
function lanesAndEdges(facts: TraceFact[], rel: number[]): { laneList: TraceLane[]; edgeList: TraceEdge[] } {
  const lanes = new Map<string, TraceLane>();
  const lane = (id: string, ms: number): TraceLane => {
    let l = lanes.get(id);
    if (!l)
      lanes.set(
        id,
        (l = { id, label: laneLabel(id), role: "requester", sent: zero(), received: zero(), firstMs: ms, lastMs: ms }),
      );
    l.lastMs = ms;
    return l;
  };
  const seenAs = new Map<string, Set<"requester" | "target">>();
  const mark = (id: string, as: "requester" | "target") => {
    let s = seenAs.get(id);
    if (!s) seenAs.set(id, (s = new Set()));
    s.add(as);
  };
  const edges = new Map<string, TraceEdge & { actionSet: Set<string> }>();
  facts.forEach((f, i) => {
    const ms = rel[i]!;
    const from = lane(f.requesterId, ms);
    from.sent[f.outcome]++;
    from.requesterType ??= f.requesterType;
    mark(f.requesterId, "requester");
    const toId = targetNode(f);
    const to = lane(toId, ms);
    to.received[f.outcome]++;
    mark(toId, "target");
    const key = `${f.requesterId}\u0000${toId}`;
    let e = edges.get(key);
    if (!e)
      edges.set(key, (e = { from: f.requesterId, to: toId, count: 0, ...zero(), actions: [], actionSet: new Set() }));
    e.count++;
    e[f.outcome]++;
    if (f.action && e.actionSet.size < 5) e.actionSet.add(f.action);
  });
  for (const l of lanes.values()) {
    const s = seenAs.get(l.id)!;
    l.role = s.size === 2 ? "both" : s.has("requester") ? "requester" : "target";
  }
  const laneList = [...lanes.values()];
  const edgeList = [...edges.values()].map(({ actionSet, ...e }) => ({ ...e, actions: [...actionSet] }));
  return { laneList, edgeList };
}

/**
 * Compares the claimed order (timestamps) with the order of receipt (receivedAt,
 * then seq). One pass in receipt order keeps the latest claim seen so far: an
 * entry claiming a time more than the tolerance before it was received after that
 * claim's entry is one finding, paired with the worst such earlier entry. Entries
 * claiming a time after their own receipt are findings too. Nothing is reordered:
 * either a clock is wrong or a sender delivered late, and the view says which
 * entries disagree.
 */
export function checkClocks(
  facts: TraceFact[],
  toleranceMs = DEFAULT_CLOCK_TOLERANCE_MS,
  maxFindings = 100,
): ClockReport {
  const byReceipt = [...facts].sort((a, b) =>
    a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.seq - b.seq,
  );
  const findings: ClockFinding[] = [];
  const seqs = new Set<number>();
  let total = 0;
  const point = (f: TraceFact): ClockPoint => ({ seq: f.seq, ts: f.ts, receivedAt: f.receivedAt, lane: f.requesterId });
  const add = (f: ClockFinding) => {
    total++;
    if (findings.length < maxFindings) findings.push(f);
  };
  let latest: TraceFact | null = null;
  let latestMs = -Infinity;
  for (const f of byReceipt) {
    const ms = Date.parse(f.ts);
    const ahead = ms - Date.parse(f.receivedAt);
    if (ahead > toleranceMs) {
      add({ kind: "future", entry: point(f), skewMs: ahead });
      seqs.add(f.seq);
    }
    if (latest && latestMs - ms > toleranceMs) {
      add({ kind: "order", earlier: point(latest), later: point(f), skewMs: latestMs - ms });
      seqs.add(latest.seq);
      seqs.add(f.seq);
    }
    if (ms > latestMs) {
      latest = f;
      latestMs = ms;
    }
  }
  return { toleranceMs, findings, total, truncated: total > findings.length, seqs: [...seqs].sort((a, b) => a - b) };
}

/** Per-lane counts by outcome in `count` equal time buckets over the trace, lanes in `order`. */
function bucketize(
  facts: TraceFact[],
  rel: number[],
  durationMs: number,
  count: number,
  order: string[],
): TraceBuckets {
  const bucketMs = Math.max(1, Math.ceil((durationMs + 1) / count));
  const sent = new Map<string, Map<number, LaneBucket>>();
  const received = new Map<string, Map<number, LaneBucket>>();
  const add = (into: Map<string, Map<number, LaneBucket>>, lane: string, i: number, outcome: Outcome) => {
    let m = into.get(lane);
    if (!m) into.set(lane, (m = new Map()));
    let b = m.get(i);
    if (!b) m.set(i, (b = { i, ...zero() }));
    b[outcome]++;
  };
  facts.forEach((f, k) => {
    const i = Math.min(count - 1, Math.floor(rel[k]! / bucketMs));
    add(sent, f.requesterId, i, f.outcome);
    add(received, targetNode(f), i, f.outcome);
  });
  const list = (m: Map<number, LaneBucket> | undefined) => (m ? [...m.values()].sort((a, b) => a.i - b.i) : []);
  return {
    bucketMs,
    count,
    lanes: order.map((lane) => ({ lane, sent: list(sent.get(lane)), received: list(received.get(lane)) })),
  };
}
