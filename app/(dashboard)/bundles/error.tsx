"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function BundlesError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The evidence bundles could not load"
        testId="bundles-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
