// "1 entry", "2 entries": every count shown beside a noun goes through here, so
// no page says "2 failure" or "1 entries" (issue 15).

/** `n` (en-US digits) and the noun in the number it agrees with; `many` defaults to `one` + "s". */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
