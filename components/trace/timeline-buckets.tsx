import type { LaneBucket } from "@/lib/server/traces/analyze.ts";
import { formatRel, type TimelineModel } from "./model.ts";
import { LANE_H } from "./timeline-scale.ts";

type BucketsProps = {
  model: TimelineModel;
  xOf: (ms: number) => number;
  laneTop: (lane: string) => number;
  show: (ev: React.MouseEvent, content: React.ReactNode) => void;
};

/** Aggregated lanes: bars of accesses made (full colour) and received (pale, below) per time slice. */
export function Buckets({ model, xOf, laneTop, show }: BucketsProps) {
  const { bucketMs, lanes } = model.buckets!;
  const total = (b: LaneBucket) => b.success + b.failure + b.denied;
  const max = Math.max(1, ...lanes.flatMap((l) => [...l.sent, ...l.received].map(total)));
  const bars = (lane: string, buckets: LaneBucket[], kind: "sent" | "received", top: number, h: number) =>
    buckets.map((b) => {
      const n = total(b);
      // sqrt scale: one denied access among thousands must still be visible.
      const bh = Math.max(2, Math.sqrt(n / max) * h);
      const x = xOf(b.i * bucketMs);
      const bw = Math.max(1.5, xOf(Math.min(model.durationMs, (b.i + 1) * bucketMs)) - x - 0.5);
      const dh = (b.denied / n) * bh;
      const fh = (b.failure / n) * bh;
      const y0 = top + h - bh;
      return (
        <g
          key={`${kind}-${b.i}`}
          className={`bucket-group ${kind}`}
          data-testid="trace-bucket"
          data-kind={kind}
          onMouseMove={(ev) =>
            show(
              ev,
              <div className="stack-tight">
                <strong>
                  {n.toLocaleString("en-US")} {kind === "sent" ? "accesses made" : "accesses received"}
                </strong>
                <div>
                  {formatRel(b.i * bucketMs)} … {formatRel((b.i + 1) * bucketMs)}
                </div>
                <div>
                  {b.success} ok · {b.failure} failed · {b.denied} denied
                </div>
                <div className="muted break">{lane}</div>
              </div>,
            )
          }
        >
          <rect x={x} y={y0} width={bw} height={Math.max(0, bh - dh - fh)} className="bucket success" />
          {fh > 0 && (
            <rect x={x} y={y0 + bh - dh - fh} width={bw} height={Math.max(1.5, fh)} className="bucket failure" />
          )}
          {dh > 0 && <rect x={x} y={y0 + bh - dh} width={bw} height={Math.max(1.5, dh)} className="bucket denied" />}
          {b.denied > 0 && kind === "sent" && (
            <text x={x + bw / 2} y={y0 - 1} textAnchor="middle" className="bucket-flag">
              ✕
            </text>
          )}
        </g>
      );
    });
  return (
    <g className="buckets">
      {lanes.map(({ lane, sent, received }) => {
        const top = laneTop(lane) + 5;
        const h = LANE_H - 10;
        // A lane that both calls and is called: made above, received below.
        const split = sent.length > 0 && received.length > 0;
        const sentH = split ? h * 0.6 : h;
        return (
          <g key={lane}>
            {bars(lane, sent, "sent", top, sentH)}
            {bars(lane, received, "received", split ? top + sentH : top, split ? h - sentH : h)}
          </g>
        );
      })}
    </g>
  );
}
