// Validation and normalization of one access event (SPEC §1) — the pure layer under
// `POST /api/v1/events`: no HTTP, no database, no clock (the caller passes `now`).
//
// Hand-written field checks rather than one zod object schema, because the contract is to
// name EVERY offending field with a JSON pointer and an error that states the rule, and
// because attributes must be size- and depth-checked by a bounded walk before anything
// recursive touches them. zod supplies the enums and describes the normalized output shape.
//
// Rule decisions (SPEC §1 leaves these open):
// - Strings: every string field must be non-empty (an empty optional field would be stored
//   as "" and mean nothing; omit it instead). `null` is a type error, not "absent": the
//   stored entry never holds null, and silently dropping it would hide a sender bug.
// - Lengths are counted in Unicode code points.
// - `id`: 1–128 characters U+0020–U+007E, no leading or trailing space (invisible in logs and
//   an easy way to make two ids look equal).
// - Identifiers (id, requester.*, target.*, action, correlationId, attribute keys) follow
//   the one identifier rule in identifier.ts: no control, format (Cf), bidi,
//   default-ignorable or line/paragraph-separator characters, no lone surrogates — each
//   refusal names the code point (`U+200B ZERO WIDTH SPACE`), since an invisible
//   character is what makes two identities look the same.
// - `reason` is free text: control characters are rejected (tab and newline too: log
//   lines, CSV exports and terminals must show one event as one line); format and bidi
//   characters are kept (a quoted Hebrew or Arabic name needs them) and the dashboard
//   shows them as visible marks. Only attribute string values may hold tab, LF and CR.
// - Lone surrogates are rejected in every string, attribute keys and values included.
// - Timestamps, IPs, traceparent and attributes: see timestamp.ts, ip-address.ts,
//   traceparent.ts and attributes.ts.

import "./zod-browser.ts";
import { z } from "zod";
import {
  ATTRIBUTES_MAX_BYTES,
  ATTRIBUTES_MAX_DEPTH,
  checkAttributes,
  copyAttributes,
  isPlainObject,
} from "./attributes.ts";
import { normalizeIp } from "./ip-address.ts";
import { describeCodePoint, freeTextProblems, identifierProblems } from "./identifier.ts";
import { pointerToken } from "./text-scan.ts";
import { normalizeTimestamp } from "./timestamp.ts";
import { parseTraceparent } from "./traceparent.ts";

export { parseTraceparent } from "./traceparent.ts";
export { ATTRIBUTES_MAX_BYTES, ATTRIBUTES_MAX_DEPTH };

export const EVENT_TYPES = ["read", "write", "modify", "delete", "execute", "authenticate"] as const;
export const OUTCOMES = ["success", "failure", "denied"] as const;
export const REQUESTER_TYPES = ["service", "workload", "job", "device", "user"] as const;

export const eventTypeSchema = z.enum(EVENT_TYPES);
export const outcomeSchema = z.enum(OUTCOMES);
export const requesterTypeSchema = z.enum(REQUESTER_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;

/** Maximum lengths in Unicode code points (SPEC §1). */
export const EVENT_LIMITS = {
  id: 128,
  requesterId: 512,
  targetId: 1024,
  targetService: 128,
  targetType: 64,
  action: 256,
  correlationId: 128,
  reason: 1024,
} as const;

/**
 * Shape of an event after validateEvent — a description of the output, not the validator:
 * it checks types, enums and the stored timestamp format only. Useful to re-check a stored
 * entry's event fields; validateEvent is the only gate for incoming data.
 */
export const normalizedEventSchema = z.strictObject({
  id: z.string().optional(),
  timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  eventType: eventTypeSchema,
  requester: z.strictObject({
    id: z.string(),
    type: requesterTypeSchema,
    ip: z.string().optional(),
  }),
  target: z.strictObject({
    id: z.string(),
    service: z.string().optional(),
    type: z.string().optional(),
  }),
  action: z.string().optional(),
  outcome: outcomeSchema,
  correlationId: z.string().optional(),
  reason: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type NormalizedEvent = z.infer<typeof normalizedEventSchema>;

export type FieldError = {
  /** RFC 6901 JSON pointer relative to the event, e.g. "/requester/id"; "" is the event itself. */
  pointer: string;
  /** Human-readable, names the rule that failed. */
  detail: string;
};

export type ValidateEventOptions = {
  /** The request's `traceparent` header (null/absent/empty: no header). */
  traceparent?: string | null;
  /** Server clock; when given, timestamps more than 24 h ahead of it are rejected. */
  now?: Date;
};

export type ValidateEventResult = { ok: true; event: NormalizedEvent } | { ok: false; errors: FieldError[] };

/** The members an event may have, in the order of the JSON schema; anything else is refused. */
export const TOP_LEVEL_FIELDS = [
  "id",
  "timestamp",
  "eventType",
  "requester",
  "target",
  "action",
  "outcome",
  "correlationId",
  "reason",
  "attributes",
] as const;
const REQUESTER_FIELDS = ["id", "type", "ip"] as const;
const TARGET_FIELDS = ["id", "service", "type"] as const;

type StringRule = {
  max: number;
  /** Identifiers follow identifier.ts; free text (reason) only refuses controls and lone surrogates. */
  identifier: boolean;
};

/** Reads an own property; `undefined` (which JSON cannot produce) counts as absent. */
function field(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function checkKnownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  base: string,
  errors: FieldError[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      errors.push({
        pointer: `${base}/${pointerToken(key)}`,
        detail: `is not a known field (allowed: ${allowed.join(", ")})`,
      });
    }
  }
}

/** Checks a string field; returns it when valid, undefined (with errors pushed) otherwise. */
function checkString(v: unknown, pointer: string, rule: StringRule, errors: FieldError[]): string | undefined {
  if (typeof v !== "string") {
    errors.push({ pointer, detail: "must be a string" });
    return undefined;
  }
  if (v.length === 0) {
    errors.push({ pointer, detail: "must not be empty (omit optional fields instead)" });
    return undefined;
  }
  const problems = rule.identifier ? identifierProblems(v, { max: rule.max }) : freeTextProblems(v, rule.max);
  for (const detail of problems) errors.push({ pointer, detail });
  return problems.length === 0 ? v : undefined;
}

function checkEnum<T extends string>(
  v: unknown,
  pointer: string,
  schema: z.ZodEnum<{ [K in T]: K }>,
  errors: FieldError[],
): T | undefined {
  const parsed = schema.safeParse(v);
  if (parsed.success) return parsed.data as T;
  errors.push({ pointer, detail: `must be one of: ${schema.options.join(", ")}` });
  return undefined;
}

function checkClientId(v: unknown, errors: FieldError[]): string | undefined {
  const pointer = "/id";
  if (typeof v !== "string") {
    errors.push({ pointer, detail: "must be a string" });
    return undefined;
  }
  const before = errors.length;
  if (v.length < 1 || v.length > EVENT_LIMITS.id) {
    errors.push({ pointer, detail: `must be 1–${EVENT_LIMITS.id} characters long` });
  }
  const bad = /[^\x20-\x7e]/u.exec(v);
  if (bad) {
    // An invisible character gets the identifier rule's words, so `pay\u200bments` reads the same in every field.
    const invisible = identifierProblems(v, { max: Infinity }).find((p) => p.includes("invisible"));
    const at = [...v.slice(0, bad.index)].length + 1;
    errors.push({
      pointer,
      detail:
        invisible ??
        `must contain only printable ASCII characters (U+0020–U+007E; found ${describeCodePoint(bad[0].codePointAt(0)!)} at character ${at})`,
    });
  } else if (v.startsWith(" ") || v.endsWith(" ")) {
    errors.push({ pointer, detail: "must not start or end with a space" });
  }
  return errors.length === before ? v : undefined;
}

/** Validates a plain-object container field and its keys; returns it when it is an object. */
function checkContainer(
  v: unknown,
  pointer: string,
  allowed: readonly string[],
  errors: FieldError[],
): Record<string, unknown> | undefined {
  if (v === undefined) {
    errors.push({ pointer, detail: "is required" });
    return undefined;
  }
  if (!isPlainObject(v)) {
    errors.push({ pointer, detail: "must be a JSON object" });
    return undefined;
  }
  checkKnownKeys(v, allowed, pointer, errors);
  return v;
}

function required(v: unknown, pointer: string, errors: FieldError[]): boolean {
  if (v === undefined) errors.push({ pointer, detail: "is required" });
  return v !== undefined;
}

const ident = (max: number): StringRule => ({ max, identifier: true });

/**
 * Validates and normalizes one access event (SPEC §1).
 * Invariants: never throws for any JSON.parse output; on failure every offending field is
 * reported (pointer + rule), in a deterministic order; on success the event is a fresh object
 * graph sharing nothing with `raw`, with absent optional fields omitted (no null, no
 * undefined-valued keys), requester.type defaulted to "service", the timestamp in UTC
 * `YYYY-MM-DDTHH:mm:ss.sssZ`, IPv6 lowercased, and correlationId taken from a valid
 * traceparent's trace-id when the body has none.
 */
export function validateEvent(raw: unknown, opts: ValidateEventOptions = {}): ValidateEventResult {
  if (!isPlainObject(raw)) return { ok: false, errors: [{ pointer: "", detail: "must be a JSON object" }] };
  const errors: FieldError[] = [];
  checkKnownKeys(raw, TOP_LEVEL_FIELDS, "", errors);
  // The field groups run in the document's order, so the error list keeps its deterministic order.
  const rawId = field(raw, "id");
  const id = rawId === undefined ? undefined : checkClientId(rawId, errors);
  const timestamp = checkTimestamp(field(raw, "timestamp"), opts.now, errors);
  const rawEventType = field(raw, "eventType");
  const eventType = required(rawEventType, "/eventType", errors)
    ? checkEnum(rawEventType, "/eventType", eventTypeSchema, errors)
    : undefined;
  const requester = checkRequester(field(raw, "requester"), errors);
  const target = checkTarget(field(raw, "target"), errors);
  const rawAction = field(raw, "action");
  const action =
    rawAction === undefined ? undefined : checkString(rawAction, "/action", ident(EVENT_LIMITS.action), errors);
  const rawOutcome = field(raw, "outcome");
  const outcome = required(rawOutcome, "/outcome", errors)
    ? checkEnum(rawOutcome, "/outcome", outcomeSchema, errors)
    : undefined;
  const correlationId = checkCorrelation(field(raw, "correlationId"), opts.traceparent, errors);
  const rawReason = field(raw, "reason");
  const reason =
    rawReason === undefined
      ? undefined
      : checkString(rawReason, "/reason", { max: EVENT_LIMITS.reason, identifier: false }, errors);
  const attributes = checkEventAttributes(field(raw, "attributes"), errors);

  if (
    errors.length > 0 ||
    timestamp === undefined ||
    eventType === undefined ||
    requester === undefined ||
    target === undefined ||
    outcome === undefined
  ) {
    // The second half cannot be true without an error; it narrows the types below.
    return { ok: false, errors: errors.length > 0 ? errors : [{ pointer: "", detail: "is not a valid event" }] };
  }

  const event: NormalizedEvent = { timestamp, eventType, requester, target, outcome };
  if (id !== undefined) event.id = id;
  if (action !== undefined) event.action = action;
  if (correlationId !== undefined) event.correlationId = correlationId;
  if (reason !== undefined) event.reason = reason;
  if (attributes !== undefined) event.attributes = attributes;
  return { ok: true, event };
}

function checkTimestamp(v: unknown, now: ValidateEventOptions["now"], errors: FieldError[]): string | undefined {
  if (!required(v, "/timestamp", errors)) return undefined;
  if (typeof v !== "string") {
    errors.push({ pointer: "/timestamp", detail: "must be a string" });
    return undefined;
  }
  const t = normalizeTimestamp(v, now);
  if (t.ok) return t.value;
  errors.push({ pointer: "/timestamp", detail: t.detail });
  return undefined;
}

function checkRequester(v: unknown, errors: FieldError[]): NormalizedEvent["requester"] | undefined {
  const rawRequester = checkContainer(v, "/requester", REQUESTER_FIELDS, errors);
  if (rawRequester === undefined) return undefined;
  const rid = field(rawRequester, "id");
  const reqId = required(rid, "/requester/id", errors)
    ? checkString(rid, "/requester/id", ident(EVENT_LIMITS.requesterId), errors)
    : undefined;
  const rtype = field(rawRequester, "type");
  const reqType = rtype === undefined ? "service" : checkEnum(rtype, "/requester/type", requesterTypeSchema, errors);
  const rip = field(rawRequester, "ip");
  const ip = rip === undefined ? undefined : checkRequesterIp(rip, errors);
  if (reqId === undefined || reqType === undefined) return undefined;
  const requester: NormalizedEvent["requester"] = { id: reqId, type: reqType };
  if (ip !== undefined) requester.ip = ip;
  return requester;
}

function checkRequesterIp(v: unknown, errors: FieldError[]): string | undefined {
  if (typeof v !== "string") {
    errors.push({ pointer: "/requester/ip", detail: "must be a string" });
    return undefined;
  }
  const n = normalizeIp(v);
  if (n !== null) return n;
  errors.push({
    pointer: "/requester/ip",
    detail: "must be an IPv4 (dotted decimal, no leading zeros) or IPv6 literal, without zone id, brackets or port",
  });
  return undefined;
}

function checkTarget(v: unknown, errors: FieldError[]): NormalizedEvent["target"] | undefined {
  const rawTarget = checkContainer(v, "/target", TARGET_FIELDS, errors);
  if (rawTarget === undefined) return undefined;
  const tid = field(rawTarget, "id");
  const targetId = required(tid, "/target/id", errors)
    ? checkString(tid, "/target/id", ident(EVENT_LIMITS.targetId), errors)
    : undefined;
  const tservice = field(rawTarget, "service");
  const service =
    tservice === undefined
      ? undefined
      : checkString(tservice, "/target/service", ident(EVENT_LIMITS.targetService), errors);
  const ttype = field(rawTarget, "type");
  const type =
    ttype === undefined ? undefined : checkString(ttype, "/target/type", ident(EVENT_LIMITS.targetType), errors);
  if (targetId === undefined) return undefined;
  const target: NormalizedEvent["target"] = { id: targetId };
  if (service !== undefined) target.service = service;
  if (type !== undefined) target.type = type;
  return target;
}

function checkCorrelation(
  v: unknown,
  traceparent: ValidateEventOptions["traceparent"],
  errors: FieldError[],
): string | undefined {
  if (v !== undefined) return checkString(v, "/correlationId", ident(EVENT_LIMITS.correlationId), errors);
  // An empty header carries no trace and is treated like no header; a non-empty one that
  // the W3C parse rejects is an error, because silently storing the event without the
  // correlation the sender meant to give would break its trace timeline.
  const header = traceparent?.trim();
  if (header === undefined || header === "") return undefined;
  const tp = parseTraceparent(header);
  if (tp !== null) return tp.traceId;
  errors.push({
    pointer: "/correlationId",
    detail: "is absent and the traceparent header is not a valid W3C traceparent, so no trace-id can be taken from it",
  });
  return undefined;
}

function checkEventAttributes(v: unknown, errors: FieldError[]): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  const attrErrors = checkAttributes(v, "/attributes");
  if (attrErrors.length > 0) {
    errors.push(...attrErrors);
    return undefined;
  }
  return copyAttributes(v as Record<string, unknown>);
}
