"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function RetentionError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="Retention settings could not load"
        testId="retention-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
