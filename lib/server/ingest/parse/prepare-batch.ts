// "Prepare a batch": everything an ingest request needs before the writer — decode,
// scan and split the body, validate every item, and cut each event's canonical
// JSON into the parts the sequencer joins (lib/core/entry-parts.ts). Pure and free
// of server-only code: it runs in the worker pool (lib/server/workers), and
// in-process where no worker can start. New ingest validation rules belong here,
// so they run off the event loop like the rest.
import { validateEvent, type ValidateEventResult } from "@/lib/schemas/event.ts";
import { prepareEvent, type PreparedEvent } from "../../ledger/prepared-event.ts";
import { parseIngestBody } from "./parse-body.ts";

export type PrepareInput = {
  body: Uint8Array;
  contentType: string | null;
  traceparent: string | null;
  /** The server's clock (ms since the epoch) for the timestamp-in-the-future check. */
  now: number;
  maxItems: number;
  /** JSON pointers declared personal for the source (committed: leaf v2, docs/format.md § 8.3). */
  personal?: string[];
};

export type PrepareFailure = {
  ok: false;
  code: "bad_request" | "unsupported_media_type" | "validation";
  detail: string;
  title?: string;
  errors?: Array<Record<string, unknown>>;
};

export type PrepareResult = { ok: true; single: boolean; events: PreparedEvent[] } | PrepareFailure;

export function prepareBatch(input: PrepareInput): PrepareResult {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input.body);
  } catch {
    return { ok: false, code: "bad_request", detail: "The request body is not valid UTF-8." };
  }
  const parsed = parseIngestBody(text, input.contentType, { maxItems: input.maxItems });
  if (!parsed.ok) {
    return {
      ok: false,
      code: parsed.status === 415 ? "unsupported_media_type" : "bad_request",
      detail: parsed.detail,
      title: parsed.title,
      ...(parsed.errors ? { errors: parsed.errors as Array<Record<string, unknown>> } : {}),
    };
  }
  const single = parsed.kind === "single";
  const now = new Date(input.now);
  const events: PreparedEvent[] = [];
  const errors: Array<Record<string, unknown>> = [];
  parsed.items.forEach((item, index) => {
    const r = withInexactNumbers(
      validateEvent(item, { traceparent: input.traceparent, now }),
      parsed.inexactNumbers.filter((n) => n.index === index),
    );
    if (r.ok) {
      if (!errors.length) events.push(prepareEvent(r.event, input.personal));
      return;
    }
    for (const e of r.errors) {
      errors.push(
        single
          ? { pointer: e.pointer, detail: e.detail }
          : {
              index,
              ...(parsed.kind === "ndjson" ? { line: parsed.lines?.[index] } : {}),
              pointer: `/${index}${e.pointer}`,
              detail: e.detail,
            },
      );
    }
  });
  if (errors.length) {
    const bad = new Set(errors.map((e) => e.index)).size;
    return {
      ok: false,
      code: "validation",
      detail: single
        ? `The event has ${errors.length} invalid field(s); nothing was stored.`
        : `${bad} of ${parsed.items.length} events are invalid; nothing of this batch was stored.`,
      errors,
    };
  }
  return { ok: true, single, events };
}

/**
 * Adds the numbers JSON.parse rounded (found by the body scan) to an item's field
 * errors: such an item is refused, never stored altered. A pointer the validator
 * already refused keeps the validator's words only.
 */
function withInexactNumbers(
  r: ValidateEventResult,
  inexact: Array<{ pointer: string; detail: string }>,
): ValidateEventResult {
  if (inexact.length === 0) return r;
  const errors = r.ok ? [] : [...r.errors];
  const reported = new Set(errors.map((e) => e.pointer));
  for (const n of inexact) if (!reported.has(n.pointer)) errors.push({ pointer: n.pointer, detail: n.detail });
  return errors.length ? { ok: false, errors } : r;
}
