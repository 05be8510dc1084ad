import type { TraceGraph } from "./model.ts";
import { visibleText } from "@/components/ui/reveal-invisible.ts";
import { middleEllipsis } from "@/components/ui/identifier-text.ts";

// Who called whom in this trace: nodes are machine identities (requesters) and
// target services, edges are accesses with their counts by outcome. A layered
// layout (each node one column right of its furthest caller; cycles bounded)
// drawn as plain SVG — no layout library for a graph of a few dozen nodes.

const NODE_W = 176;
const NODE_H = 34;
const COL_W = 320;
const ROW_H = 64;
const PAD = 24;

function layers(graph: TraceGraph): Map<string, number> {
  const layer = new Map(graph.nodes.map((n) => [n.id, 0]));
  const n = graph.nodes.length;
  // Longest-path layering; a cycle stops growing at n - 1, so this ends.
  for (let round = 0; round < n; round++) {
    let changed = false;
    for (const e of graph.edges) {
      if (e.from === e.to) continue;
      const want = layer.get(e.from)! + 1;
      if (want > layer.get(e.to)! && want < n) {
        layer.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

type Point = { x: number; y: number };
type Edge = TraceGraph["edges"][number];
type Node = TraceGraph["nodes"][number];

/** Each node's top-left corner: one column per layer, callers left of what they call. */
function placeNodes(graph: TraceGraph) {
  const layer = layers(graph);
  const columns: string[][] = [];
  for (const node of graph.nodes) (columns[layer.get(node.id)!] ??= []).push(node.id);
  const pos = new Map<string, Point>();
  columns.forEach((ids, c) => ids?.forEach((id, r) => pos.set(id, { x: PAD + c * COL_W, y: PAD + 14 + r * ROW_H })));
  const rows = Math.max(...columns.map((c) => c?.length ?? 0));
  const width = PAD * 2 + (columns.length - 1) * COL_W + NODE_W;
  const height = PAD * 2 + 14 + (rows - 1) * ROW_H + NODE_H + 40;
  return { pos, width, height };
}

/** The edge's path and where its label goes: a loop above a self-call, a curve forward, a swing below backward. */
function edgeGeometry(a: Point, b: Point, self: boolean): { d: string; lx: number; ly: number } {
  if (self) {
    const d = `M${a.x + NODE_W / 2 - 18},${a.y}C${a.x + NODE_W / 2 - 30},${a.y - 34} ${a.x + NODE_W / 2 + 30},${a.y - 34} ${a.x + NODE_W / 2 + 18},${a.y}`;
    return { d, lx: a.x + NODE_W / 2, ly: a.y - 30 };
  }
  if (b.x > a.x) {
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mx = (x1 + x2) / 2;
    const d = `M${x1},${y1}C${mx},${y1} ${mx},${y2} ${x2 - 2},${y2}`;
    // Label a third of the way along: edges converging on one node keep their labels apart.
    const t = 0.35;
    const u = 1 - t;
    const lx = u * u * u * x1 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x2;
    const ly = u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2 - 6;
    return { d, lx, ly };
  }
  // Back (or same-column) edge: swing below both nodes.
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2;
  const y = Math.max(a.y, b.y) + NODE_H + 30;
  return { d: `M${x1},${a.y + NODE_H}C${x1},${y} ${x2},${y} ${x2},${b.y + NODE_H + 2}`, lx: (x1 + x2) / 2, ly: y - 4 };
}

export function ServiceGraph({ graph }: { graph: TraceGraph }) {
  if (graph.nodes.length === 0) return null;
  const { pos, width, height } = placeNodes(graph);
  const maxCount = Math.max(...graph.edges.map((e) => e.count));

  return (
    // Focusable: on a narrow screen it scrolls sideways, and the keyboard must be able to scroll it.
    <div className="service-graph" data-testid="service-graph" tabIndex={0} role="region" aria-label="Service graph">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        // Its own size: on a narrow screen the card scrolls it sideways rather than shrink its text.
        width={width}
        height={height}
        role="img"
        aria-label={`Service graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges`}
      >
        <defs>
          {(["ok", "failure", "denied"] as const).map((k) => (
            <marker
              key={k}
              id={`arrow-${k}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="9"
              markerHeight="9"
              markerUnits="userSpaceOnUse"
              orient="auto-start-reverse"
            >
              <path d="M0,0L10,5L0,10Z" className={`arrowhead ${k}`} />
            </marker>
          ))}
        </defs>
        {graph.edges.map((e) => (
          <GraphEdge key={`${e.from}\u0000${e.to}`} e={e} a={pos.get(e.from)!} b={pos.get(e.to)!} maxCount={maxCount} />
        ))}
        {graph.nodes.map((n) => (
          <GraphNode key={n.id} n={n} p={pos.get(n.id)!} />
        ))}
      </svg>
      <p className="muted small">
        Rounded nodes call (requester identities); square nodes are only called (target services). Edge labels: accesses
        · failed · denied.
      </p>
    </div>
  );
}

function GraphEdge({ e, a, b, maxCount }: { e: Edge; a: Point; b: Point; maxCount: number }) {
  const kind = e.denied > 0 ? "denied" : e.failure > 0 ? "failure" : "ok";
  const { d, lx, ly } = edgeGeometry(a, b, e.from === e.to);
  const parts = [`${e.count}`];
  if (e.failure) parts.push(`!${e.failure} failed`);
  if (e.denied) parts.push(`✕${e.denied} denied`);
  return (
    <g
      className={`edge ${kind}`}
      data-testid="graph-edge"
      data-from={e.from}
      data-to={e.to}
      data-count={e.count}
      data-denied={e.denied}
      data-failure={e.failure}
    >
      <title>{`${visibleText(e.from)} → ${visibleText(e.to)}: ${e.count} access${e.count === 1 ? "" : "es"} — ${e.success} ok, ${e.failure} failed, ${e.denied} denied${e.actions.length ? `; ${visibleText(e.actions.join(", "))}` : ""}`}</title>
      <path
        d={d}
        strokeWidth={1.2 + (3 * Math.log1p(e.count)) / Math.log1p(maxCount)}
        markerEnd={`url(#arrow-${kind})`}
        fill="none"
      />
      <text x={lx} y={ly} textAnchor="middle" className="edge-label">
        {parts.join(" · ")}
      </text>
    </g>
  );
}

function GraphNode({ n, p }: { n: Node; p: Point }) {
  // SVG text cannot hold the mark component: the marked string, so two lookalike nodes differ.
  const text = visibleText(n.label);
  return (
    <g className={`node ${n.role}`} data-testid="graph-node" data-node={n.id}>
      <title>{`${visibleText(n.id)} (${n.role === "target" ? "called" : n.role === "requester" ? "caller" : "caller and called"})`}</title>
      <rect x={p.x} y={p.y} width={NODE_W} height={NODE_H} rx={n.role === "target" ? 4 : 17} />
      <text x={p.x + NODE_W / 2} y={p.y + NODE_H / 2 + 4} textAnchor="middle">
        {middleEllipsis(text, 24)}
      </text>
    </g>
  );
}
