import type { EventFilter } from "@/lib/core/event-filter.ts";

// The bundle as GET /api/v1/bundles[/{id}] serves it (lib/server/bundles/store.ts).
export type BundleView = {
  id: string;
  status: "queued" | "building" | "ready" | "failed";
  createdBy: string;
  createdAt: string;
  filter: EventFilter;
  progress: { done: number; total: number };
  count: number | null;
  treeSize: number | null;
  size: number | null;
  sha256: string | null;
  error: string | null;
  finishedAt: string | null;
  downloadUrl: string | null;
};

export const isFinal = (b: BundleView) => b.status === "ready" || b.status === "failed";
