"use client";

import { ErasedMarker, erasedAt } from "@/components/retention/erased-fields.tsx";
import { VisibleText } from "@/components/ui/visible-text.tsx";
import { visibleText } from "@/components/ui/reveal-invisible.ts";
import { useState } from "react";
import { ClockIcon } from "./clock-icon.tsx";
import { OUTCOME_LABEL, formatRelPrecise, type TimelineEntry } from "./model.ts";
import { useViewerZone } from "@/components/events/explorer-nav.tsx";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";
import { formatInZone } from "@/components/events/time.ts";
import { IdentifierText } from "@/components/ui/identifier.tsx";

// Every returned entry in claimed order, as links to its detail page. Rows have
// a fixed height and only the visible window (plus a margin) is rendered, so
// 10 000 entries cost a few dozen DOM rows.

const ROW_H = 34;
const VIEW_H = 440;
const OVERSCAN = 10;

export function TraceEntries({ entries, tz }: { entries: TimelineEntry[]; tz: TimeZoneMode }) {
  const viewerZone = useViewerZone();
  const zone = tz === "utc" ? "UTC" : viewerZone;
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(entries.length, Math.ceil((top + VIEW_H) / ROW_H) + OVERSCAN);
  const height = Math.min(VIEW_H, entries.length * ROW_H);
  return (
    <div className="trace-entries" data-testid="trace-entries">
      {/* Column captions for the eye; each row (a link) reads out its own values. */}
      <div className="trace-row head" aria-hidden="true">
        <span>since first</span>
        <span data-testid="trace-time-header">time ({zone})</span>
        <span>seq</span>
        <span>requester → target</span>
        <span>action</span>
        <span>outcome</span>
      </div>
      <div className="trace-scroll" style={{ height }} onScroll={(e) => setTop(e.currentTarget.scrollTop)}>
        <div style={{ height: entries.length * ROW_H, position: "relative" }}>
          {entries.slice(first, last).map((e, k) => (
            <a
              key={e.seq}
              href={`/events/${e.seq}`}
              className={`trace-row ${e.outcome}`}
              style={{ top: (first + k) * ROW_H, height: ROW_H }}
              data-testid="trace-entry"
              data-seq={e.seq}
            >
              <span className="mono">{formatRelPrecise(e.relMs)}</span>
              <span className="mono">{formatInZone(e.ts, zone, false)}</span>
              <span className="mono">{e.seq}</span>
              <span className="ident-pair" title={`${visibleText(e.requesterId)} → ${visibleText(e.targetId)}`}>
                <RequesterLane e={e} />
                <span className="arrow" aria-hidden="true">
                  →
                </span>
                <span className="sr-only"> to </span>
                <IdentifierText value={e.to} />
              </span>
              <span className="ellipsis" title={visibleText(e.action ?? e.eventType)}>
                <VisibleText text={e.action ?? e.eventType} />
              </span>
              <span>
                <span className={`outcome-tag ${e.outcome}`}>
                  {e.outcome === "denied" ? "✕ " : e.outcome === "failure" ? "! " : ""}
                  {OUTCOME_LABEL[e.outcome]}
                </span>
                {e.clockFinding && (
                  <span className="clock-tag" title="claimed time disagrees with the order of receipt">
                    {" "}
                    <ClockIcon title="clock disagrees" />
                  </span>
                )}
              </span>
            </a>
          ))}
        </div>
      </div>
    </div>
  );
}

/** The requester's lane, or its erasure (a row is a link itself: the receipt seq as text). */
function RequesterLane({ e }: { e: TimelineEntry }) {
  const f = erasedAt(e.erased, "/requester/id");
  if (f) return <ErasedMarker f={f} compact link={false} />;
  return <IdentifierText value={e.lane.replace(/^spiffe:\/\/[^/]+\//, "")} />;
}
