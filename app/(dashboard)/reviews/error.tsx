"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function ReviewsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The review packs could not load"
        testId="reviews-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
