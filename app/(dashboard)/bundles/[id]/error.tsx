"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function BundleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="This evidence bundle could not load"
        testId="bundle-error"
        back={{ href: "/bundles", label: "All bundles" }}
      />
    </main>
  );
}
