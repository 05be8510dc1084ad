"use client";

import type { TimelineModel } from "./model.ts";
import { TraceEntries } from "./trace-entries.tsx";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";
import { TraceTimeline } from "./trace-timeline.tsx";

// The interactive part of the page in one client boundary, so the entries cross
// from server to browser once (the timeline and the list share them); the
// server-rendered graph and notes come in as slots.

export function TraceBody({
  model,
  timelineNote,
  graph,
  entriesNote,
  tz,
}: {
  model: TimelineModel;
  timelineNote: React.ReactNode;
  graph: React.ReactNode;
  entriesNote: React.ReactNode;
  /** The explorer's Local/UTC choice (components/events/zone-choice.ts). */
  tz: TimeZoneMode;
}) {
  return (
    <>
      <section className="card section">
        <h2>Timeline</h2>
        {timelineNote}
        <TraceTimeline model={model} tz={tz} />
      </section>
      {graph}
      <section className="card section">
        <h2>Entries</h2>
        <TraceEntries entries={model.entries} tz={tz} />
        {entriesNote}
      </section>
    </>
  );
}
