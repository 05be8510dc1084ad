"use client";

import "@/components/trace/trace.css";
import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function TimelineError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="trace-page">
      <SegmentError
        error={error}
        reset={reset}
        title="This timeline could not load"
        testId="timeline-error"
        back={{ href: "/trace", label: "Search another id" }}
      />
    </main>
  );
}
