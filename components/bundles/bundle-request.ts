import type { EventFilter } from "@/lib/core/event-filter.ts";
import { personalPointerProblem } from "@/lib/core/personal.ts";

// The two calls every "create a bundle" control makes, in order: preview (the
// server resolves the selection and counts it), then create with exactly the
// previewed filter — so what the user confirmed is what the manifest holds.

export type BundleSelection = { filter: EventFilter } | { explorer: string };
export type BundlePreviewView = { filter: EventFilter; count: number; range: string | null; resolvedAt: string };
type Problem = { detail?: string; title?: string } | null;
export type Answer<T> = { ok: true; value: T } | { ok: false; error: string };

async function post<T>(url: string, body: unknown, what: string): Promise<Answer<T>> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as (T & Problem) | null;
    if (!res.ok || json === null) {
      return { ok: false, error: `${what}: ${json?.detail ?? json?.title ?? `HTTP ${res.status}`}` };
    }
    return { ok: true, value: json };
  } catch (e) {
    return { ok: false, error: `${what}: the server did not answer (${(e as Error).message || "network error"}).` };
  }
}

export function previewBundleRequest(selection: BundleSelection): Promise<Answer<BundlePreviewView>> {
  return post<BundlePreviewView>("/api/v1/bundles/preview", selection, "The selection could not be resolved");
}

export function createBundleRequest(filter: EventFilter, withhold: string[] = []): Promise<Answer<{ id: string }>> {
  const body = withhold.length ? { filter, withhold } : { filter };
  return post<{ id: string }>("/api/v1/bundles", body, "The evidence bundle could not be started");
}

/** The withhold choice as typed (pointers separated by spaces or commas), checked as the server checks it. */
export function parseWithhold(text: string): Answer<string[]> {
  const pointers = [...new Set(text.split(/[\s,]+/).filter(Boolean))].sort();
  for (const p of pointers) {
    const problem = personalPointerProblem(p);
    if (problem) return { ok: false, error: `Cannot withhold ${p}: ${problem}.` };
  }
  return { ok: true, value: pointers };
}
