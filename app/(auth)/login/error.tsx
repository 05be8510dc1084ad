"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";

export default function LoginError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main>
      <SegmentError
        error={error}
        reset={reset}
        title="The sign-in page could not load"
        testId="login-error"
        back={{ href: "/login", label: "Reload sign-in" }}
      />
    </main>
  );
}
