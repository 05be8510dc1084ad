"use client";

import "@/components/events/explorer.css";
import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function EntryError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="explorer">
      <SegmentError
        error={error}
        reset={reset}
        title="This entry could not load"
        testId="entry-error"
        back={{ href: "/events", label: "Open the explorer" }}
      />
    </main>
  );
}
