"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

// Failures above every segment (the dashboard layout itself: the session or the
// store could not be read). The root layout still renders around this.
export default function RootError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="shell error-shell">
      <SegmentError
        error={error}
        reset={reset}
        title="Ledgerline could not load this page"
        testId="root-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
