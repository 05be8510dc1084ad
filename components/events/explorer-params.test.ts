import { describe, expect, it } from "vitest";
import {
  bucketSpan,
  canonicalParams,
  DEFAULT_RANGE,
  explorerQueryFromText,
  explorerSelection,
  fillBuckets,
  filterHref,
  formatRate,
  resolveExplorerParams,
  resolveRange,
  toggleListValue,
  toggleSort,
  withParams,
  zoomParams,
} from "./explorer-params.ts";
import { bucketLabel, formatUtc, fromInputValue, toInputValue } from "./time.ts";

const NOW = Date.parse("2026-11-27T13:20:31.500Z");
const sp = (s: string) => new URLSearchParams(s);

describe("resolveExplorerParams", () => {
  it("resolves the default preset to absolute minute-aligned bounds that include now", () => {
    const r = resolveExplorerParams(sp(""), NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.range).toBe(DEFAULT_RANGE);
    expect(r.value.request.filter).toEqual({ from: "2026-11-20T13:20:00.000Z", to: "2026-11-27T13:21:00.000Z" });
    expect(r.value.request.sort).toBe("-ts");
    expect(r.value.tz).toBe("local");
  });

  it("keeps a preset as the range in effect and gives 'all' no time bounds", () => {
    const r = resolveExplorerParams(sp("range=24h&outcome=denied,failure&requester=svc-*"), NOW);
    expect(r.ok && r.value.request.filter).toEqual({
      from: "2026-11-26T13:20:00.000Z",
      to: "2026-11-27T13:21:00.000Z",
      outcome: ["denied", "failure"],
      requester: "svc-*",
    });
    const all = resolveExplorerParams(sp("range=all&seqFrom=5"), NOW);
    expect(all.ok && all.value.request.filter).toEqual({ seqFrom: 5 });
    expect(all.ok && all.value.range).toBe("all");
  });

  it("uses absolute from/to as given, with no preset", () => {
    const r = resolveExplorerParams(sp("from=2026-11-01T00:00:00Z&tz=utc"), NOW);
    expect(r.ok && r.value.range).toBe(null);
    expect(r.ok && r.value.request.filter).toEqual({ from: "2026-11-01T00:00:00.000Z" });
    expect(r.ok && r.value.tz).toBe("utc");
  });

  it("names every bad parameter instead of failing or widening the query", () => {
    const r = resolveExplorerParams(sp("seqFrom=abc&range=2y&tz=mars&sort=requester&bogus=1"), NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const params = r.errors.map((e) => e.param).sort();
    expect(params).toEqual(["bogus", "range", "seqFrom", "sort", "tz"]);
  });

  it("refuses a preset combined with absolute bounds", () => {
    const r = resolveExplorerParams(sp("range=1h&from=2026-11-01T00:00:00Z"), NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]!.param).toBe("range");
  });
});

// Issue 15: a bundle made from a pasted /events?range=24h&… link held all time.
describe("explorerSelection", () => {
  it("is the filter the explorer page resolves, for every preset, the default and all time", () => {
    for (const q of [
      "",
      "range=15m",
      "range=1h",
      "range=24h",
      "range=7d",
      "range=30d",
      "range=all",
      "from=2026-11-01T00:00:00Z",
    ]) {
      const page = resolveExplorerParams(sp(`${q}&outcome=denied&service=payments&sort=ts&limit=5&tz=utc`), NOW);
      const sel = explorerSelection(sp(`${q}&outcome=denied&service=payments&sort=ts&limit=5&tz=utc`), NOW);
      expect(page.ok && sel.ok).toBe(true);
      if (!page.ok || !sel.ok) return;
      expect(sel.value.filter).toEqual(page.value.request.filter);
      expect(sel.value.range).toBe(page.value.range);
    }
    const day = explorerSelection(sp("range=24h&outcome=denied&service=payments"), NOW);
    expect(day.ok && day.value.filter).toEqual({
      from: "2026-11-26T13:20:00.000Z",
      to: "2026-11-27T13:21:00.000Z",
      outcome: ["denied"],
      service: "payments",
    });
    // No time in the URL is the page's default preset, not all time.
    const none = explorerSelection(sp("service=payments"), NOW);
    expect(none.ok && none.value.filter.from).toBe("2026-11-20T13:20:00.000Z");
  });

  it("refuses what the page refuses", () => {
    const r = explorerSelection(sp("range=2d&bogus=1"), NOW);
    expect(!r.ok && r.errors.map((e) => e.param).sort()).toEqual(["bogus", "range"]);
  });
});

describe("explorerQueryFromText", () => {
  const q = (t: string) => {
    const r = explorerQueryFromText(t);
    return r.ok ? r.value.toString() : `error: ${r.errors[0]!.detail}`;
  };
  it("takes a full link, a path, a query with or without ? and nothing at all", () => {
    expect(q("https://ledgerline.example/events?range=24h&outcome=denied&service=payments")).toBe(
      "range=24h&outcome=denied&service=payments",
    );
    expect(q("  /events?range=all#top ")).toBe("range=all");
    expect(q("?service=payments")).toBe("service=payments");
    expect(q("service=payments&range=1h")).toBe("service=payments&range=1h");
    expect(q("/events")).toBe("");
    expect(q("")).toBe("");
  });
  it("reads a trace link as its correlation id over all time", () => {
    expect(q("http://127.0.0.1:3000/trace/req%2F42")).toBe("range=all&correlationId=req%2F42");
  });
  it("refuses a link to another page", () => {
    expect(q("https://ledgerline.example/bundles?x=1")).toMatch(/^error: must be an Events link/);
    expect(q("/integrity")).toMatch(/^error:/);
  });
});

describe("resolveRange", () => {
  it("gives 15 minutes back from now, to the next minute", () => {
    expect(resolveRange("15m", NOW)).toEqual({ from: "2026-11-27T13:05:00.000Z", to: "2026-11-27T13:21:00.000Z" });
    expect(resolveRange("all", NOW)).toEqual({});
  });
});

describe("withParams", () => {
  it("drops the cursor when the filter or sort changes, keeps it otherwise", () => {
    const cur = sp("range=7d&cursor=abc&tz=utc");
    expect(withParams(cur, { outcome: ["denied"] }).toString()).toBe("range=7d&outcome=denied&tz=utc");
    expect(withParams(cur, { sort: "ts" }).has("cursor")).toBe(false);
    expect(withParams(cur, { tz: "local" }).get("cursor")).toBe("abc");
    expect(withParams(cur, { cursor: "def" }).get("cursor")).toBe("def");
  });

  it("lets absolute bounds replace a preset and a preset replace absolute bounds", () => {
    const abs = withParams(sp("range=24h"), { from: "2026-11-27T10:00:00.000Z" });
    expect(abs.has("range")).toBe(false);
    const pre = withParams(sp("from=2026-11-27T10:00:00.000Z&to=2026-11-27T11:00:00.000Z"), { range: "1h" });
    expect(pre.toString()).toBe("range=1h");
  });

  it("removes parameters set to empty and writes lists comma-joined in canonical order", () => {
    const out = withParams(sp("q=x&requester=a"), { q: "", eventType: ["write", "read"] });
    expect(out.toString()).toBe("eventType=write%2Cread&requester=a");
  });
});

describe("zoomParams", () => {
  it("sets absolute bounds in order, drops the preset and the cursor", () => {
    const out = zoomParams(
      sp("range=7d&outcome=denied&cursor=zz"),
      Date.parse("2026-11-27T11:00:00Z"),
      Date.parse("2026-11-27T10:00:00Z"),
    );
    expect(out.toString()).toBe("from=2026-11-27T10%3A00%3A00.000Z&to=2026-11-27T11%3A00%3A00.000Z&outcome=denied");
  });
});

describe("toggleSort", () => {
  it("flips the same column and starts another column newest first", () => {
    expect(toggleSort("-ts", "ts")).toBe("ts");
    expect(toggleSort("ts", "ts")).toBe("-ts");
    expect(toggleSort("-ts", "seq")).toBe("-seq");
    expect(toggleSort("seq", "seq")).toBe("-seq");
    expect(toggleSort("seq", "ts")).toBe("-ts");
  });
});

describe("helpers", () => {
  it("toggles multi-select values", () => {
    expect(toggleListValue(["read"], "write")).toEqual(["read", "write"]);
    expect(toggleListValue(["read", "write"], "read")).toEqual(["write"]);
    expect(toggleListValue(undefined, "denied")).toEqual(["denied"]);
  });

  it("builds detail-page filter links over all time", () => {
    expect(filterHref("requester", "spiffe://x/y")).toBe("/events?range=all&requester=spiffe%3A%2F%2Fx%2Fy");
  });

  it("orders parameters canonically", () => {
    expect(canonicalParams(sp("cursor=c&q=x&range=1h")).toString()).toBe("range=1h&q=x&cursor=c");
  });

  it("formats rates", () => {
    expect(formatRate(1, 3)).toBe("33.3 %");
    expect(formatRate(0, 0)).toBe("—");
  });
});

describe("histogram buckets", () => {
  it("fills the empty buckets of the range and keeps the counts", () => {
    const out = fillBuckets({
      bucket: "1h",
      bucketMs: 3_600_000,
      from: "2026-11-27T10:30:00.000Z",
      to: "2026-11-27T13:00:00.000Z",
      buckets: [{ start: "2026-11-27T12:00:00.000Z", success: 2, failure: 0, denied: 1 }],
    });
    expect(out.map((b) => b.start)).toEqual([
      "2026-11-27T10:00:00.000Z",
      "2026-11-27T11:00:00.000Z",
      "2026-11-27T12:00:00.000Z",
    ]);
    expect(out[2]).toEqual({ start: "2026-11-27T12:00:00.000Z", success: 2, failure: 0, denied: 1 });
    expect(out[0]!.success + out[0]!.failure + out[0]!.denied).toBe(0);
  });

  it("steps calendar months for the month bucket", () => {
    const out = fillBuckets({
      bucket: "1mo",
      bucketMs: 30 * 86_400_000,
      from: "2026-01-15T00:00:00.000Z",
      to: "2026-04-01T00:00:00.000Z",
      buckets: [],
    });
    expect(out.map((b) => b.start.slice(0, 7))).toEqual(["2026-01", "2026-02", "2026-03"]);
  });

  it("spans a click to one bucket and a drag to every bucket touched", () => {
    const one = bucketSpan("2026-11-27T12:00:00.000Z", "2026-11-27T12:00:00.000Z", "1h", 3_600_000);
    expect([one.fromMs, one.toMs].map((t) => new Date(t).toISOString())).toEqual([
      "2026-11-27T12:00:00.000Z",
      "2026-11-27T13:00:00.000Z",
    ]);
    const drag = bucketSpan("2026-11-27T15:00:00.000Z", "2026-11-27T12:00:00.000Z", "1h", 3_600_000);
    expect(new Date(drag.toMs).toISOString()).toBe("2026-11-27T16:00:00.000Z");
    const feb = bucketSpan("2026-02-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "1mo", 30 * 86_400_000);
    expect(new Date(feb.toMs).toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });
});

describe("time", () => {
  it("formats the stored UTC text and round-trips input values in both modes", () => {
    expect(formatUtc("2026-11-27T13:20:05.123Z")).toBe("2026-11-27 13:20:05.123 UTC");
    expect(toInputValue("2026-11-27T13:20:05.123Z", true)).toBe("2026-11-27T13:20:05");
    expect(fromInputValue("2026-11-27T13:20", true)).toBe("2026-11-27T13:20:00.000Z");
    const local = toInputValue("2026-11-27T13:20:05.000Z", false);
    expect(fromInputValue(local, false)).toBe("2026-11-27T13:20:05.000Z");
    expect(fromInputValue("27/11/2026", true)).toBe(null);
    expect(bucketLabel("2026-11-27T13:20:00.000Z", "10m", true)).toBe("11-27 13:20");
    expect(bucketLabel("2026-11-27T00:00:00.000Z", "1d", true)).toBe("11-27");
  });
});
