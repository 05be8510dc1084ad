import "server-only";

// Turning a table row (snake_case columns, as both drivers return them) into the camelCase
// object the API and the pages use. The store modules of reviews, SIEM destinations, saved
// views and integrity runs each wrote the same field-by-field copy; the columns that pass
// through unchanged are named once here, and only the conversions stay with each table.

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

/** The named columns of a row under their camelCase names. */
export type CamelColumns<R, K extends keyof R & string> = { [P in K as Camel<P>]: R[P] };

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The named columns of `row`, values as they are (text, nulls), keys in camelCase. */
export function camelColumns<R extends object, K extends keyof R & string>(
  row: R,
  columns: readonly K[],
): CamelColumns<R, K> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[camel(c)] = row[c];
  return out as CamelColumns<R, K>;
}

/**
 * A BOOLEAN column: SQLite stores 1/0 (and the writers here bind 1/0 on both dialects),
 * PostgreSQL answers true/false.
 */
export function flagColumn(v: number | boolean | string | null): boolean {
  return v === true || Number(v) === 1;
}

/** A BIGINT column that may be NULL: PostgreSQL returns BIGINT as text. */
export function numberOrNull(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}
