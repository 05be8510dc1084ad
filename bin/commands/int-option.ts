// The one rule for a numeric command-line option (retention, siem, monitor, witness, import):
// digits only — no sign, exponent, blank or hex that Number() would quietly accept — within a
// stated range, or a usage error that names the option, the range and what was given. No
// imports: monitor and witness run on an auditor's machine and load nothing of the server.

type Range = {
  min?: number;
  max?: number;
  /** Allow a decimal fraction (the witness's --rate per second). */
  fraction?: boolean;
};

/** The usage-error class of the calling command (its catcher prints the usage and exits 2). */
type UsageClass = new (message: string) => Error;

/**
 * `raw` as a number, or `fallback` when the option was not given. `flag` is the option as the
 * user typed it (`--days`).
 */
export function intOption(raw: string | undefined, flag: string, range: Range, Usage: UsageClass): number | undefined;
export function intOption(
  raw: string | undefined,
  flag: string,
  range: Range & { fallback: number },
  Usage: UsageClass,
): number;
export function intOption(
  raw: string | undefined,
  flag: string,
  range: Range & { fallback?: number },
  Usage: UsageClass,
): number | undefined {
  if (raw === undefined) return range.fallback;
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  const n = Number(raw);
  const shape = range.fraction ? /^\d{1,15}(\.\d{1,15})?$/ : /^\d{1,16}$/;
  if (!shape.test(raw) || n < min || n > max) {
    const what = range.fraction ? "a number" : "a whole number";
    const bounds = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new Usage(`${flag} must be ${what} ${bounds}, got "${raw}"`);
  }
  return n;
}
