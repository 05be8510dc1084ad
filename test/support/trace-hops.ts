import { validateEvent } from "@/lib/schemas/event.ts";
import { event } from "./stores.ts";

// Fixtures of the trace tests: hops of a correlation id between services at claimed
// times (milliseconds after T0).

export const T0 = Date.UTC(2026, 10, 27, 9, 0, 0, 0);
export const at = (ms: number) => new Date(T0 + ms).toISOString();
export const GW = "spiffe://t.example/ns/edge/sa/gateway";
export const ORDERS = "spiffe://t.example/ns/shop/sa/orders";

/** One validated hop from `from` to `service` at T0 + `ms`; no correlation id when it is undefined. */
export function hop(
  correlationId: string | undefined,
  ms: number,
  from: string,
  service: string,
  over: Record<string, unknown> = {},
) {
  const raw = event({
    timestamp: at(ms),
    requester: { id: from, type: "service" },
    target: { id: `https://${service}.svc/v1/x`, service, type: "api" },
    correlationId,
    ...over,
  });
  if (correlationId === undefined) delete raw.correlationId;
  const r = validateEvent(raw);
  if (!r.ok) throw new Error(`bad fixture: ${JSON.stringify(r.errors)}`);
  return r.event;
}
