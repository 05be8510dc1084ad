// Times in the explorer: stored as UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, shown in the
// viewer's zone or in UTC. Pure functions of their arguments, except that "local"
// means the zone of the runtime they execute in (the browser).

/** `2026-11-27 13:20:05.123 UTC`, straight from the stored text (no Date round trip). */
export function formatUtc(iso: string): string {
  return iso.replace("T", " ").replace(/Z$/, " UTC");
}

const localFormat = new Map<string, Intl.DateTimeFormat>();

/** The instant in an IANA zone (the viewer's by default), e.g. `2026-11-27 14:20:05.123 CET` (without the zone name when `withZone` is false). */
export function formatInZone(iso: string, timeZone?: string, withZone = true): string {
  const key = timeZone ?? "";
  let f = localFormat.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      fractionalSecondDigits: 3,
      hourCycle: "h23",
      timeZoneName: "short",
    });
    localFormat.set(key, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const clock = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond}`;
  return withZone ? `${clock} ${parts.timeZoneName}` : clock;
}

/** Both readings, for tooltips: local first, then UTC. */
export function bothZones(iso: string, timeZone?: string): string {
  return `${formatInZone(iso, timeZone)}\n${formatUtc(iso)}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The text of a From/To field showing `iso` in the viewer's zone or UTC (`2026-11-27T13:20:05`). */
export function toInputValue(iso: string | undefined, utc: boolean): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  if (utc) return iso.slice(0, 19);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A From/To field's text read in the viewer's zone or UTC, as an ISO instant (or
 * null): `2026-11-27T13:20`, `2026-11-27 13:20:05.250` or a bare date (midnight).
 * Out-of-range parts (month 13, 25:00) are refused, not rolled over.
 */
export function fromInputValue(value: string, utc: boolean): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h = "0", mi = "0", s = "0", ms = "0"] = m.slice(1).map((x) => x ?? undefined) as string[];
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const args = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(ms.padEnd(3, "0")),
  ] as const;
  const t = utc ? Date.UTC(...args) : new Date(...args).getTime();
  if (Number.isNaN(t)) return null;
  // 2026-11-31 would become 2026-12-01: refuse a day the month does not have.
  const back = new Date(t);
  if ((utc ? back.getUTCDate() : back.getDate()) !== Number(d)) return null;
  return back.toISOString();
}

/** Short axis label for a bucket start, by bucket width. */
export function bucketLabel(iso: string, bucket: string, utc: boolean): string {
  const d = new Date(iso);
  const [Y, M, D, h, m] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  if (bucket === "1mo") return `${Y}-${pad(M)}`;
  if (bucket === "1d") return `${pad(M)}-${pad(D)}`;
  return `${pad(M)}-${pad(D)} ${pad(h)}:${pad(m)}`;
}
