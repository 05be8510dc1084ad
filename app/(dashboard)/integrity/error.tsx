"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function IntegrityError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The integrity center could not load"
        testId="integrity-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
