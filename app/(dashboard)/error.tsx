"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="This page could not load"
        testId="page-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
