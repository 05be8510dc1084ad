import type { Bundle } from "@/lib/server/bundles/store.ts";

// The bundle as GET /api/v1/bundles[/{id}] serves it. A type-only import: nothing
// of the server module reaches the browser.
export type BundleView = Bundle;

export const isFinal = (b: BundleView) => b.status === "ready" || b.status === "failed";
