import "server-only";

// One error type and one code → HTTP status table. Route handlers turn an
// AppError into RFC 9457 problem+json; anything else becomes a 500 whose
// message is logged with the request id and never echoed to the client.

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export const ERROR_TITLE: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  unauthorized: "Missing or invalid credentials",
  forbidden: "Forbidden",
  not_found: "Not found",
  conflict: "Conflict",
  payload_too_large: "Request body too large",
  unsupported_media_type: "Unsupported media type",
  validation: "Invalid event",
  rate_limited: "Too many requests",
  internal: "Internal error",
  unavailable: "Service unavailable",
};

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ProblemExtras = {
  errors?: Array<Record<string, unknown>>;
  retryAfter?: number;
  title?: string;
  [k: string]: unknown;
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: ProblemExtras = {},
  ) {
    super(detail);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Database failures the client should retry: locked, full, read-only or unreachable. */
export function isTransientStoreError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return (
    /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)/.test(code) ||
    [
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "57P01",
      "57P03",
      "53100",
      "53200",
      "53300",
      "08000",
      "08003",
      "08006",
      "25006",
    ].includes(code)
  );
}
