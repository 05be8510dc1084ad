// How a long identifier is shortened: in the middle, never at the end, because
// the end is what tells two machine identities apart (spiffe://prod/ns/shop/sa/
// orders vs …/sa/checkout). Pure functions, shared by the HTML component (which
// lets CSS cut the head to the space available) and by SVG labels (which cannot,
// so they cut by characters).

const SEPARATORS = "/:.#@?=";
/** The tail kept whole: at least this long when separators allow… */
const TAIL_MIN = 12;
/** …and never longer than this, nor than half the value. */
const TAIL_MAX = 32;
/** Shorter values are shown whole (or cut at the end by CSS in a very narrow box). */
const SPLIT_FROM = 24;

/**
 * Splits a value into a head (cut with an ellipsis when space is short) and a
 * tail (always shown). The tail starts at a separator when one gives a tail of
 * TAIL_MIN…TAIL_MAX characters, else it is the last TAIL_MIN characters (a hash
 * or a separator-less segment: then both ends stay visible, "3f9a0c…e29e5e").
 * head + tail === value, always.
 */
export function splitIdentifier(value: string): { head: string; tail: string } {
  const chars = Array.from(value); // code points: never split a surrogate pair
  if (chars.length < SPLIT_FROM) return { head: value, tail: "" };
  const max = Math.min(TAIL_MAX, Math.floor(chars.length / 2));
  let start = chars.length - Math.min(TAIL_MIN, max);
  for (let i = chars.length - TAIL_MIN; i >= chars.length - max; i--) {
    if (SEPARATORS.includes(chars[i]!)) {
      start = i;
      break;
    }
  }
  return { head: chars.slice(0, start).join(""), tail: chars.slice(start).join("") };
}

/** The value in at most `max` characters, the middle replaced by "…" (for SVG text). */
export function middleEllipsis(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  if (max < 2) return "…";
  const { tail } = splitIdentifier(value);
  const keepTail = Math.min(Array.from(tail).length || Math.floor(max / 2), max - 2, Math.ceil(max * 0.6));
  const keepHead = max - 1 - keepTail;
  return `${chars.slice(0, keepHead).join("")}…${chars.slice(chars.length - keepTail).join("")}`;
}
