"use client";

import { SegmentError } from "@/components/layout/segment-error.tsx";
import "./globals.css";

// The root layout itself failed: this replaces it, so it brings its own <html>.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main className="shell error-shell">
          <SegmentError
            error={error}
            reset={reset}
            title="Ledgerline could not load"
            testId="global-error"
            back={{ href: "/", label: "Overview" }}
          />
        </main>
      </body>
    </html>
  );
}
