"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function ErasureError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="Erasure settings could not load"
        testId="erasure-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
