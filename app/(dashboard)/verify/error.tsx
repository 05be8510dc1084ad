"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function VerifyError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The verifier could not load"
        testId="verify-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
