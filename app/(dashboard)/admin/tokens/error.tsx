"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function TokensError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The read tokens could not load"
        testId="tokens-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
