"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

// An entry's page before a checkpoint covers it (issue 15 item 8): it watches the
// public checkpoint (GET /api/v1/checkpoint — unaudited, no session needed) and
// re-renders itself once the signed tree includes the entry, so "None yet" turns
// into the checkpoint without a reload. Polls only while the tab is visible.

const POLL_MS = 5_000;

/** The tree size of a C2SP checkpoint note (its second line), or null when it is not one. */
export function noteTreeSize(note: string): number | null {
  const line = note.split("\n")[1] ?? "";
  return /^\d+$/.test(line) ? Number(line) : null;
}

export function AwaitCheckpoint({ seq }: { seq: number }) {
  const router = useRouter();
  const [state, setState] = useState<"waiting" | "covered" | "offline">("waiting");
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function check() {
      if (stopped) return;
      if (document.visibilityState === "visible") {
        try {
          const res = await fetch("/api/v1/checkpoint", { cache: "no-store" });
          const size = res.ok ? noteTreeSize(await res.text()) : null;
          // seq is 1-based: a tree of size n covers seqs 1…n.
          if (size !== null && size >= seq) {
            setState("covered");
            router.refresh();
            return;
          }
          setState("waiting");
        } catch {
          setState("offline");
        }
      }
      timer = setTimeout(check, POLL_MS);
    }
    timer = setTimeout(check, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [seq, router]);
  return (
    <span className="muted small-print" data-testid="await-checkpoint" aria-live="polite">
      {state === "covered"
        ? "A checkpoint now covers this entry — loading it…"
        : state === "offline"
          ? "Could not reach the server to check for the checkpoint; retrying."
          : "Watching for it: this page updates itself when it is signed."}
    </span>
  );
}
