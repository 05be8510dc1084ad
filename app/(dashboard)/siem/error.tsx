"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function SiemError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="SIEM destinations could not load"
        testId="siem-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
