"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function UsersError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The user list could not load"
        testId="users-error"
        back={{ href: "/", label: "Overview" }}
      />
    </main>
  );
}
