import "server-only";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { uuidv7 } from "../db/ids.ts";

// The demo's stories (issue 15 item 11): a few traces worth following, so the
// first minutes show what the timeline and the service graph can do — 10 to 30
// hops over the six demo services with a fan-out, retries, a slow hop and a
// denial cascade. Each story is told once under a fixed, well-known id (the W3C
// trace-context examples, so the ids in docs and placeholders open something)
// and retold under random ids across the demo week, so searching by service or
// "has denied" finds more than one.

const TRUST = "spiffe://demo.ledgerline.dev";
const svc = (ns: string, sa: string) => `${TRUST}/ns/${ns}/sa/${sa}`;

/** The demo fleet's workload identities. */
export const DEMO_SERVICES = {
  gateway: svc("edge", "api-gateway"),
  orders: svc("shop", "orders"),
  payments: svc("payments", "payments-api"),
  fraud: svc("payments", "fraud-check"),
  inventory: svc("shop", "inventory"),
  users: svc("identity", "users"),
  notify: svc("comms", "notifications"),
  reporting: svc("analytics", "nightly-report"),
};
const S = DEMO_SERVICES;

/** The service whose ingest key reports an access to `service` (its own identity), else the caller's. */
export function observerOf(service: string, from: string): string {
  return Object.values(S).find((s) => s.endsWith(`/${service}`) || s.endsWith(`/${service}-api`)) ?? from;
}

type StoryHop = {
  /** Milliseconds from the story's start. */
  at: number;
  from: string;
  to: string;
  target: string;
  action: string;
  eventType: NormalizedEvent["eventType"];
  targetType?: string;
  denied?: string;
  failed?: string;
  /** The hop's own duration (attribute duration.ms), when it matters to the story. */
  ms?: number;
};

const h = (
  at: number,
  from: string,
  to: string,
  target: string,
  action: string,
  eventType: NormalizedEvent["eventType"],
  more: Partial<StoryHop> = {},
): StoryHop => ({ at, from, to, target, action, eventType, ...more });

export type DemoStory = { id: string; title: string; hops: StoryHop[] };

const TIMEOUT = "upstream timeout after 2000 ms";
const PCI = "policy pci-cde-access: requester not in the cardholder-data allow list";
const MTLS = "mTLS peer not authorized for this route";
const CHECKOUT: DemoStory = {
  id: "4bf92f3577b34da6a3ce929d0e0e4736",
  title: "A checkout: stock reserved in a fan-out, fraud-check retried twice after timeouts, one slow database read",
  hops: [
    h(0, S.gateway, "users", "https://users.identity.svc/v1/token", "POST /v1/token", "authenticate"),
    h(12, S.gateway, "orders", "https://orders.shop.svc/v1/orders", "POST /v1/orders", "write"),
    {
      at: 20,
      from: S.orders,
      to: "users",
      target: "https://users.identity.svc/v1/users/u_48213",
      action: "GET /v1/users/{id}",
      eventType: "read",
    },
    h(26, S.users, "users", "db://identity-pg/public.users", "SELECT users", "read", { targetType: "db" }),
    ...[1, 2, 3, 4].map((n): StoryHop => ({
      at: 40 + Math.floor(n / 2),
      from: S.orders,
      to: "inventory",
      target: `https://inventory.shop.svc/v1/stock/sku-7730${n}`,
      action: "PUT /v1/stock/{sku}",
      eventType: "modify",
    })),
    h(55, S.inventory, "inventory", "db://shop-pg/public.stock", "UPDATE stock", "modify", { targetType: "db" }),
    h(60, S.orders, "payments", "https://payments.svc/v1/charges", "POST /v1/charges", "write"),
    h(70, S.payments, "fraud-check", "https://fraud.payments.svc/v1/score", "POST /v1/score", "execute", {
      failed: TIMEOUT,
      ms: 2000,
    }),
    {
      at: 2075,
      from: S.payments,
      to: "fraud-check",
      target: "https://fraud.payments.svc/v1/score",
      action: "POST /v1/score",
      eventType: "execute",
      failed: `${TIMEOUT} (retry 1 of 3)`,
      ms: 2000,
    },
    h(4180, S.payments, "fraud-check", "https://fraud.payments.svc/v1/score", "POST /v1/score", "execute", { ms: 14 }),
    h(4200, S.payments, "payments", "db://payments-pg/cardholder.cards", "SELECT cards", "read", {
      targetType: "db",
      ms: 1850,
    }),
    h(6060, S.payments, "payments", "db://payments-pg/public.charges", "INSERT charges", "write", { targetType: "db" }),
    h(6075, S.orders, "orders", "db://shop-pg/public.orders", "INSERT orders", "write", { targetType: "db" }),
    h(6090, S.orders, "notifications", "queue://comms/order-confirmations", "publish", "write", {
      targetType: "queue",
    }),
    {
      at: 6120,
      from: S.notify,
      to: "users",
      target: "https://users.identity.svc/v1/users/u_48213/contact",
      action: "GET /v1/users/{id}/contact",
      eventType: "read",
    },
    h(6140, S.notify, "notifications", "smtp://mail.comms.svc", "send order-confirmation", "execute", {
      targetType: "smtp",
    }),
    {
      at: 6160,
      from: S.gateway,
      to: "orders",
      target: "https://orders.shop.svc/v1/orders/o_90211",
      action: "GET /v1/orders/{id}",
      eventType: "read",
    },
  ],
};

const DENIAL_CASCADE: DemoStory = {
  id: "0af7651916cd43dd8448eb211c80319c",
  title: "The nightly report reaches for cardholder data: denied at every door it tries, then pages on-call",
  hops: [
    h(0, S.reporting, "orders", "db://shop-pg/public.orders", "SELECT orders", "read", { targetType: "db" }),
    h(15, S.reporting, "orders", "db://shop-pg/public.order_items", "SELECT order_items", "read", { targetType: "db" }),
    h(30, S.reporting, "payments", "https://payments.svc/v1/charges", "GET /v1/charges", "read", { denied: MTLS }),
    h(45, S.reporting, "payments", "db://payments-pg/cardholder.cards", "SELECT cards", "read", {
      targetType: "db",
      denied: PCI,
    }),
    h(60, S.reporting, "users", "https://users.identity.svc/v1/token", "POST /v1/token", "authenticate", {
      denied: "token exchange refused: nightly-report may not request scope payments:read",
    }),
    {
      at: 1060,
      from: S.reporting,
      to: "payments",
      target: "https://payments.svc/v1/charges",
      action: "GET /v1/charges",
      eventType: "read",
      denied: `${MTLS} (retry 1)`,
    },
    {
      at: 3070,
      from: S.reporting,
      to: "payments",
      target: "https://payments.svc/v1/charges",
      action: "GET /v1/charges",
      eventType: "read",
      denied: `${MTLS} (retry 2)`,
    },
    h(
      3090,
      S.reporting,
      "fraud-check",
      "https://fraud.payments.svc/v1/scores/export",
      "GET /v1/scores/export",
      "read",
      { denied: "fraud-check exports are limited to payments-api" },
    ),
    h(3110, S.reporting, "notifications", "queue://comms/report-failures", "publish", "write", { targetType: "queue" }),
    {
      at: 3130,
      from: S.notify,
      to: "users",
      target: "https://users.identity.svc/v1/oncall/analytics",
      action: "GET /v1/oncall/{team}",
      eventType: "read",
    },
    h(3150, S.notify, "notifications", "https://pager.comms.svc/v1/pages", "POST /v1/pages", "execute"),
  ],
};

const REFUND: DemoStory = {
  id: "00f067aa0ba902b7c0ffee00a11ce5e5",
  title: "A refund: payments refunds, the restock fails, orders retries it until inventory answers",
  hops: [
    {
      at: 0,
      from: S.gateway,
      to: "orders",
      target: "https://orders.shop.svc/v1/orders/o_77120/refund",
      action: "POST /v1/orders/{id}/refund",
      eventType: "write",
    },
    h(9, S.orders, "payments", "https://payments.svc/v1/refunds", "POST /v1/refunds", "write"),
    h(17, S.payments, "fraud-check", "https://fraud.payments.svc/v1/score", "POST /v1/score", "execute"),
    h(31, S.payments, "payments", "db://payments-pg/public.refunds", "INSERT refunds", "write", { targetType: "db" }),
    {
      at: 40,
      from: S.orders,
      to: "inventory",
      target: "https://inventory.shop.svc/v1/stock/sku-77301",
      action: "PUT /v1/stock/{sku}",
      eventType: "modify",
      failed: "503 from inventory: stock table locked",
    },
    {
      at: 540,
      from: S.orders,
      to: "inventory",
      target: "https://inventory.shop.svc/v1/stock/sku-77301",
      action: "PUT /v1/stock/{sku}",
      eventType: "modify",
      failed: "503 from inventory: stock table locked (retry 1)",
    },
    {
      at: 1545,
      from: S.orders,
      to: "inventory",
      target: "https://inventory.shop.svc/v1/stock/sku-77301",
      action: "PUT /v1/stock/{sku}",
      eventType: "modify",
    },
    h(1560, S.inventory, "inventory", "db://shop-pg/public.stock", "UPDATE stock", "modify", { targetType: "db" }),
    h(1575, S.orders, "orders", "db://shop-pg/public.orders", "UPDATE orders", "modify", { targetType: "db" }),
    h(1590, S.orders, "notifications", "queue://comms/refund-confirmations", "publish", "write", {
      targetType: "queue",
    }),
    h(1620, S.notify, "notifications", "smtp://mail.comms.svc", "send refund-confirmation", "execute", {
      targetType: "smtp",
    }),
  ],
};

export const DEMO_STORIES: readonly DemoStory[] = [CHECKOUT, DENIAL_CASCADE, REFUND];

/** How long before "now" each story's named telling starts (the newest traces of the demo). */
const STORY_AGE_MS = [12 * 60_000, 47 * 60_000, 3 * 3_600_000];

function storyEvents(story: DemoStory, correlationId: string, start: number, ip: () => string): NormalizedEvent[] {
  return story.hops.map((h) => {
    const t = start + h.at;
    const outcome = h.denied ? "denied" : h.failed ? "failure" : "success";
    const e: NormalizedEvent = {
      id: uuidv7(t),
      timestamp: new Date(t).toISOString(),
      eventType: h.eventType,
      requester: { id: h.from, type: h.from === S.reporting ? "job" : "service", ip: ip() },
      target: { id: h.target, service: h.to, type: h.targetType ?? "api" },
      action: h.action,
      outcome,
      correlationId,
      attributes: {
        "http.response.status_code": outcome === "success" ? 200 : outcome === "denied" ? 403 : 504,
        "duration.ms": h.ms ?? 3 + ((h.at * 7) % 40),
      },
    };
    const reason = h.denied ?? h.failed;
    if (reason) e.reason = reason;
    return e;
  });
}

/**
 * Every story once under its fixed id (recent), and `retellings` more times under
 * random ids spread over the `days` before `now` — grouped by observing service.
 */
export function demoStoryEvents(
  now: number,
  r: () => number,
  retellings = 12,
  days = 7,
): Map<string, NormalizedEvent[]> {
  const bySource = new Map<string, NormalizedEvent[]>();
  const ip = () => `10.42.${Math.floor(r() * 8)}.${Math.floor(r() * 250) + 2}`;
  const add = (events: NormalizedEvent[]) => {
    for (const e of events) {
      const source = observerOf(e.target.service!, e.requester.id);
      const list = bySource.get(source) ?? [];
      list.push(e);
      bySource.set(source, list);
    }
  };
  DEMO_STORIES.forEach((story, i) => {
    add(storyEvents(story, story.id, now - STORY_AGE_MS[i]!, ip));
    for (let n = 0; n < retellings; n++) {
      const id = [...Array(32)].map(() => Math.floor(r() * 16).toString(16)).join("");
      add(storyEvents(story, id, now - Math.floor(r() * days * 86_400_000) - 3_600_000, ip));
    }
  });
  return bySource;
}
