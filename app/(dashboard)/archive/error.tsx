"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function ArchiveError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The archive could not load"
        testId="archive-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
