"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function KeysError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The ingest keys could not load"
        testId="keys-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
