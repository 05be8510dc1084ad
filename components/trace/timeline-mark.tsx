import { ClockIcon } from "./clock-icon.tsx";
import { ErasedMarker, erasedAt } from "@/components/retention/erased-fields.tsx";
import { OUTCOME_LABEL, formatRelPrecise, type TimelineEntry } from "./model.ts";
import { TraceTime } from "./trace-time.tsx";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";
import { VisibleText } from "@/components/ui/visible-text.tsx";

// One access on the timeline: its mark (shape by outcome), and the tooltip that explains it.

export function Mark({ entry, x, y }: { entry: TimelineEntry; x: number; y: number }) {
  if (entry.outcome === "denied") {
    // A square with a cross: "stopped here".
    return (
      <g className="mark-shape denied">
        <rect x={x - 6} y={y - 6} width={12} height={12} rx={2} />
        <path
          d={`M${x - 3.5},${y - 3.5}L${x + 3.5},${y + 3.5}M${x + 3.5},${y - 3.5}L${x - 3.5},${y + 3.5}`}
          className="glyph"
        />
      </g>
    );
  }
  if (entry.outcome === "failure") {
    // A triangle with a bang: "broke here".
    return (
      <g className="mark-shape failure">
        <path d={`M${x},${y - 7}L${x + 7},${y + 6}L${x - 7},${y + 6}Z`} />
        <path d={`M${x},${y - 2.5}L${x},${y + 1.5}M${x},${y + 3}L${x},${y + 4}`} className="glyph" />
      </g>
    );
  }
  return (
    <g className="mark-shape success">
      <circle cx={x} cy={y} r={5} />
    </g>
  );
}

export function EntryTip({ e, tz }: { e: TimelineEntry; tz: TimeZoneMode }) {
  return (
    <div className="stack-tight">
      <div>
        <strong>seq {e.seq}</strong> · <span className={`outcome-tag ${e.outcome}`}>{OUTCOME_LABEL[e.outcome]}</span>
        {e.clockFinding && (
          <span className="clock-tag">
            {" "}
            <ClockIcon /> claimed time disagrees with order of receipt
          </span>
        )}
      </div>
      <div className="mono">
        <TraceTime iso={e.ts} tz={tz} />
      </div>
      <div>{formatRelPrecise(e.relMs)} from the first event</div>
      <div className="break">
        <span className="muted">from</span> <FieldOrErased e={e} pointer="/requester/id" text={e.requesterId} />
      </div>
      <div className="break">
        <span className="muted">to</span> <VisibleText text={e.targetId} />
      </div>
      <div>
        {e.eventType}
        {e.action ? (
          <>
            {" · "}
            <VisibleText text={e.action} />
          </>
        ) : (
          ""
        )}
      </div>
      {(e.reason || erasedAt(e.erased, "/reason")) && (
        <div className="break">
          reason: <FieldOrErased e={e} pointer="/reason" text={e.reason ?? ""} />
        </div>
      )}
      <div className="muted">click to open the entry</div>
    </div>
  );
}

/** A committed field's value, or "erased on <date> (request <ref>)" once erased (a tooltip: no link). */
function FieldOrErased({ e, pointer, text }: { e: TimelineEntry; pointer: string; text: string }) {
  const f = erasedAt(e.erased, pointer);
  return f ? <ErasedMarker f={f} compact link={false} /> : <VisibleText text={text} />;
}
