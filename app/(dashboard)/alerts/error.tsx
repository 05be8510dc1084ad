"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function AlertsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="Alerts could not load"
        testId="alerts-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
