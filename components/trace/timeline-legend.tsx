import { ClockIcon } from "./clock-icon.tsx";
import { formatSpan, type TimelineModel } from "./model.ts";

/** What the shapes, the clock, the gap bands and (aggregated) the bars mean. */
export function TimelineLegend({ model }: { model: TimelineModel }) {
  const aggregated = model.buckets !== null;
  return (
    <div className="trace-legend muted">
      <span>
        <svg width="14" height="14" viewBox="-7 -7 14 14" className="mark-shape success" aria-hidden>
          <circle r={5} />
        </svg>{" "}
        success
      </span>
      <span>
        <svg width="14" height="14" viewBox="-7 -8 14 15" className="mark-shape failure" aria-hidden>
          <path d="M0,-7L7,6L-7,6Z" />
        </svg>{" "}
        failure
      </span>
      <span>
        <svg width="14" height="14" viewBox="-7 -7 14 14" className="mark-shape denied" aria-hidden>
          <rect x={-6} y={-6} width={12} height={12} rx={2} />
          <path d="M-3.5,-3.5L3.5,3.5M3.5,-3.5L-3.5,3.5" className="glyph" />
        </svg>{" "}
        denied
      </span>
      <span className="clock-tag">
        <ClockIcon /> claimed time disagrees with order of receipt
      </span>
      <span>
        <svg width="14" height="12" aria-hidden className="gap-swatch">
          <rect x="1" y="1" width="12" height="10" />
        </svg>{" "}
        gap: a silence of at least the threshold, drawn narrow
      </span>
      {aggregated && (
        <span>
          bars: accesses per {formatSpan(model.buckets!.bucketMs)} slice, made (solid) and received (pale), √ scale
        </span>
      )}
    </div>
  );
}
