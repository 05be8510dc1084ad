// Makes a mapped record's leftovers fit an entry's `attributes` (SPEC §1: ≤ 8 KiB as JSON,
// nesting depth ≤ 5), so a chatty exporter's extra fields never cost the access itself.
// What does not fit is dropped by name, in a stated order, and the names are recorded
// under `ledgerline.dropped` — the entry says what it does not hold.

import { ATTRIBUTES_MAX_BYTES, ATTRIBUTES_MAX_DEPTH } from "@/lib/schemas/event.ts";
import type { JsonValue } from "./otlp-model.ts";

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");

/** Containers deeper than the limit become their JSON text (the attributes object itself is level 1). */
function clampDepth(v: JsonValue, level: number): JsonValue {
  if (v === null || typeof v !== "object") return v;
  if (level > ATTRIBUTES_MAX_DEPTH) return JSON.stringify(v);
  if (Array.isArray(v)) return v.map((x) => clampDepth(x, level + 1));
  const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
  for (const [k, x] of Object.entries(v)) out[k] = clampDepth(x, level + 1);
  return out;
}

/**
 * Returns `attrs` (keys in insertion order) within the size and depth limits, or
 * undefined when empty. `dropFirst` names keys to give up before any other; after
 * those, the largest remaining values go first.
 */
export function fitAttributes(
  attrs: Record<string, JsonValue | undefined>,
  dropFirst: string[] = [],
): Record<string, JsonValue> | undefined {
  const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = clampDepth(v, 2);
  const dropped: string[] = [];
  // Room for the `ledgerline.dropped` list itself.
  const budget = ATTRIBUTES_MAX_BYTES - 512;
  const size = () => utf8Length(JSON.stringify(out));
  if (size() > ATTRIBUTES_MAX_BYTES) {
    for (const k of dropFirst) {
      if (size() <= budget) break;
      if (k in out) {
        delete out[k];
        dropped.push(k);
      }
    }
    while (size() > budget) {
      let largest = "";
      let largestSize = -1;
      for (const [k, v] of Object.entries(out)) {
        const s = utf8Length(JSON.stringify(v)) + utf8Length(k);
        if (s > largestSize) [largest, largestSize] = [k, s];
      }
      if (largestSize < 0) break;
      delete out[largest];
      dropped.push(largest);
    }
    // Only names that fit: a pathological list of thousands of keys is summarized by its count.
    const listed: string[] = [];
    let room = 400;
    for (const k of dropped) {
      room -= utf8Length(JSON.stringify(k)) + 1;
      if (room < 0) break;
      listed.push(k);
    }
    out["ledgerline.dropped"] =
      listed.length === dropped.length ? listed : [...listed, `…${dropped.length - listed.length} more`];
  }
  return Object.keys(out).length ? out : undefined;
}

/** Free text for `reason`: control characters (not allowed there) become spaces, at most `max` code points. */
export function cleanText(s: string, max = 1024): string {
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  const cps = Array.from(flat);
  return cps.length > max ? cps.slice(0, max - 1).join("") + "…" : flat;
}
