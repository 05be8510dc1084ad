import "server-only";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { AppError } from "../errors.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { uuidv7 } from "../db/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { ROLES } from "../auth/permissions.ts";
import { createUser } from "../auth/users.ts";
import { DEMO_SERVICES, demoStoryEvents, observerOf } from "./demo-story.ts";

// Demo data for a first start: a small fleet whose services call each other
// under shared correlation ids, with some denied and failed accesses. It goes
// through the sequencer like any ingest, and only ever into an empty store.

type Hop = {
  from: string;
  fromType?: NormalizedEvent["requester"]["type"];
  to: string;
  target: (r: () => number) => string;
  targetType: string;
  action: string;
  eventType: NormalizedEvent["eventType"];
};

const S = DEMO_SERVICES;

const id = (r: () => number) => Math.floor(r() * 90000 + 10000);

const FLOWS: Hop[][] = [
  [
    {
      from: S.gateway,
      to: "orders",
      target: (r) => `https://orders.shop.svc/v1/orders/${id(r)}`,
      targetType: "api",
      action: "POST /v1/orders",
      eventType: "write",
    },
    {
      from: S.orders,
      to: "inventory",
      target: (r) => `https://inventory.shop.svc/v1/stock/sku-${id(r)}`,
      targetType: "api",
      action: "PUT /v1/stock/{sku}",
      eventType: "modify",
    },
    {
      from: S.orders,
      to: "payments",
      target: (r) => `https://payments.svc/v1/charges/ch_${id(r)}`,
      targetType: "api",
      action: "POST /v1/charges",
      eventType: "write",
    },
    {
      from: S.payments,
      to: "fraud-check",
      target: () => "https://fraud.payments.svc/v1/score",
      targetType: "api",
      action: "POST /v1/score",
      eventType: "execute",
    },
    {
      from: S.payments,
      to: "payments",
      target: () => "db://payments-pg/cardholder.cards",
      targetType: "db",
      action: "SELECT cards",
      eventType: "read",
    },
    {
      from: S.orders,
      to: "notifications",
      target: () => "queue://comms/order-confirmations",
      targetType: "queue",
      action: "publish",
      eventType: "write",
    },
  ],
  [
    {
      from: S.gateway,
      to: "users",
      target: (r) => `https://users.identity.svc/v1/users/u_${id(r)}`,
      targetType: "api",
      action: "GET /v1/users/{id}",
      eventType: "read",
    },
    {
      from: S.users,
      to: "users",
      target: () => "db://identity-pg/public.users",
      targetType: "db",
      action: "SELECT users",
      eventType: "read",
    },
  ],
  [
    {
      from: S.gateway,
      to: "users",
      target: () => "https://users.identity.svc/v1/token",
      targetType: "api",
      action: "POST /v1/token",
      eventType: "authenticate",
    },
  ],
  [
    {
      from: S.reporting,
      fromType: "job",
      to: "orders",
      target: () => "db://shop-pg/public.orders",
      targetType: "db",
      action: "SELECT orders",
      eventType: "read",
    },
    {
      from: S.reporting,
      fromType: "job",
      to: "payments",
      target: () => "db://payments-pg/cardholder.cards",
      targetType: "db",
      action: "SELECT cards",
      eventType: "read",
    },
  ],
];

/** xorshift32: the demo is the same on every machine. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function outcomeFor(hop: Hop, r: () => number): { outcome: NormalizedEvent["outcome"]; reason?: string } {
  // The nightly report has no business reading cardholder data: always denied.
  if (hop.from === S.reporting && hop.target(r).includes("cardholder")) {
    return { outcome: "denied", reason: "policy pci-cde-access: requester not in the cardholder-data allow list" };
  }
  const x = r();
  if (x < 0.04) return { outcome: "denied", reason: "mTLS peer not authorized for this route" };
  if (x < 0.07) return { outcome: "failure", reason: "upstream timeout after 2000 ms" };
  return { outcome: "success" };
}

/** Events of `count` correlated requests over the `days` before `now`, grouped by the observing service. */
export function demoEvents(count = 1000, now = Date.now(), days = 7, seed = 20261127): Map<string, NormalizedEvent[]> {
  const r = prng(seed);
  const bySource = new Map<string, NormalizedEvent[]>();
  for (let i = 0; i < count; i++) {
    const flow = FLOWS[Math.floor(r() * FLOWS.length)]!;
    let t = now - days * 86_400_000 + Math.floor((i / count) * days * 86_400_000);
    const correlationId = [...Array(32)].map(() => Math.floor(r() * 16).toString(16)).join("");
    for (const hop of flow) {
      t += 3 + Math.floor(r() * 40);
      const { outcome, reason } = outcomeFor(hop, r);
      const observer = observerOf(hop.to, hop.from);
      const e: NormalizedEvent = {
        id: uuidv7(t),
        timestamp: new Date(t).toISOString(),
        eventType: hop.eventType,
        requester: {
          id: hop.from,
          type: hop.fromType ?? "service",
          ip: `10.42.${Math.floor(r() * 8)}.${Math.floor(r() * 250) + 2}`,
        },
        target: { id: hop.target(r), service: hop.to, type: hop.targetType },
        action: hop.action,
        outcome,
        correlationId,
        attributes: {
          "http.response.status_code": outcome === "success" ? 200 : outcome === "denied" ? 403 : 504,
          "duration.ms": Math.floor(r() * 120) + 1,
        },
      };
      if (reason) e.reason = reason;
      const list = bySource.get(observer) ?? [];
      list.push(e);
      bySource.set(observer, list);
      if (outcome !== "success") break;
    }
  }
  return bySource;
}

/** Seeds the demo fleet into an empty store; prints one demo ingest key (shown only this once). */
export async function seedDemo(ledger: Ledger, log: (m: string) => void): Promise<boolean> {
  // Defence in depth behind loadConfig (which never turns the demo on in production):
  // `ledgerline seed` calls this directly, and the demo prints passwords and a key.
  if (ledger.config.production) {
    throw new AppError(
      "forbidden",
      "LEDGERLINE_ENV=production: demo data (users whose passwords and an ingest key are printed) is never seeded in production. Create real users with `ledgerline users create`.",
    );
  }
  const [entries, keys, users] = await Promise.all([
    ledger.prisma.entry.count(),
    ledger.prisma.ingestKey.count(),
    ledger.prisma.user.count(),
  ]);
  if (entries > 0 || keys > 0 || users > 0) return false;
  const now = Date.now();
  const bySource = demoEvents(1000, now);
  // The stories worth tracing (./demo-story.ts), reported by the same services.
  for (const [source, events] of demoStoryEvents(now, prng(20261204))) {
    bySource.set(source, [...(bySource.get(source) ?? []), ...events]);
  }
  let total = 0;
  let shown: { key: string; source: string } | null = null;
  for (const [source, events] of bySource) {
    const k = await createIngestKey(ledger, systemPrincipal("ledgerline-demo"), source, "demo");
    shown ??= { key: k.key, source };
    for (let i = 0; i < events.length; i += 500) {
      const r = await ledger.sequencer.append(source, events.slice(i, i + 500));
      if (r.ok) total += r.items.length;
    }
  }
  log(`demo data: ${total} events from ${bySource.size} services (LEDGERLINE_DEMO=off to start empty)`);
  if (shown) {
    log(`demo ingest key for ${shown.source} — shown once, store it now:`);
    log(`    ${shown.key}`);
  }
  // One sign-in per role; passwords are random, printed only now.
  const system: Principal = { kind: "system", role: "admin", email: "ledgerline-demo", via: "cli" };
  log("demo logins — shown once (change them, or disable these users, before real use):");
  for (const role of ROLES) {
    const { user, password } = await createUser(ledger, system, {
      email: `${role}@demo.ledgerline.dev`,
      role,
      name: `Demo ${role}`,
    });
    log(`    demo login  ${role.padEnd(8)}  ${user.email.padEnd(28)}  ${password}`);
  }
  return true;
}
