import { BUNDLE_FORMAT, type BundleManifest } from "./format.ts";
import { personalPointerProblem } from "../personal.ts";
import { Fail, decode, isCount, isObject, isSeq } from "./verify-kit.ts";

// manifest.json, read strictly: the fields SPEC §5 names with their types, and a filter
// made only of the fields this verifier can evaluate (an unknown one means a newer format).

const FILTER_STRINGS = ["from", "to", "requester", "target", "service", "source", "action", "correlationId", "q"];
const FILTER_LISTS = ["eventType", "outcome", "requesterType"];
const FILTER_NUMBERS = ["seqFrom", "seqTo"];
// The explorer hides Ledgerline's own entries unless asked (issue 15): a bundle made from its
// link carries `hideOwnActivity: true`, which matchesFilter evaluates like any other field.
const FILTER_BOOLEANS = ["hideOwnActivity"];

function filterProblem(f: unknown): string | null {
  if (!isObject(f)) return "filter is not an object";
  for (const [k, v] of Object.entries(f)) {
    if (FILTER_STRINGS.includes(k)) {
      if (typeof v !== "string") return `filter.${k} is not a string`;
    } else if (FILTER_LISTS.includes(k)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) return `filter.${k} is not a list of strings`;
    } else if (FILTER_NUMBERS.includes(k)) {
      if (!isSeq(v)) return `filter.${k} is not a positive integer`;
    } else if (FILTER_BOOLEANS.includes(k)) {
      if (typeof v !== "boolean") return `filter.${k} is not true or false`;
    } else {
      return `filter has an unknown field ${JSON.stringify(k)} (a newer bundle format?)`;
    }
  }
  return null;
}

/** Why the parsed manifest is unusable, or null. */
function manifestProblem(m: Record<string, unknown>): string | null {
  if (m.format !== BUNDLE_FORMAT) return `manifest.format is ${JSON.stringify(m.format)}, not "${BUNDLE_FORMAT}"`;
  for (const k of ["bundleId", "createdAt", "createdBy", "origin", "keyId"]) {
    if (typeof m[k] !== "string") return `manifest.${k} is missing or not a string`;
  }
  for (const k of ["count", "firstSeq", "lastSeq"]) {
    if (!isCount(m[k])) return `manifest.${k} is missing or not a non-negative integer`;
  }
  const cp = m.checkpoint;
  if (!isObject(cp) || !isCount(cp.treeSize) || typeof cp.rootHash !== "string") {
    return "manifest.checkpoint must be {treeSize, rootHash}";
  }
  const w = m.withheld;
  if (w !== undefined && (!Array.isArray(w) || w.some((p) => typeof p !== "string" || personalPointerProblem(p))))
    return "manifest.withheld must be a list of personal-field pointers (/requester/ip, /attributes/…)";
  return null;
}

/**
 * The manifest and why it cannot be trusted (null when it can). A manifest whose only
 * problem is its filter is still returned, so checks 3 and 5 can say more than "unusable".
 */
export function parseManifest(b: Uint8Array | undefined): {
  manifest: BundleManifest | null;
  problem: string | null;
} {
  if (!b) return { manifest: null, problem: "manifest.json is missing" };
  let m: unknown;
  try {
    m = JSON.parse(decode(b, "manifest.json"));
  } catch (e) {
    return { manifest: null, problem: e instanceof Fail ? e.message : "manifest.json is not valid JSON" };
  }
  if (!isObject(m)) return { manifest: null, problem: "manifest.json is not a JSON object" };
  const problem = manifestProblem(m);
  if (problem) return { manifest: null, problem };
  const fp = filterProblem(m.filter);
  return { manifest: m as unknown as BundleManifest, problem: fp ? `manifest.${fp}` : null };
}
