"use client";

import "@/components/events/explorer.css";
import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function EventsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="explorer">
      <SegmentError
        error={error}
        reset={reset}
        title="The explorer could not load"
        testId="explorer-error"
        back={{ href: "/events", label: "Default filter" }}
      />
    </main>
  );
}
