import "server-only";
import type { Ledger } from "../ledger/ledger.ts";
import { Ticker } from "../runtime/ticker.ts";
import { sendToChannel } from "./channels.ts";
import { dueDeliveries, markAttemptFailed, markSent, type Delivery } from "./delivery-store.ts";
import { evaluateRule } from "./evaluate.ts";
import { noticeOf } from "./states.ts";
import { alertById, listRules, ruleById } from "./store.ts";

// The per-process alert worker (a field of the Runtime): every `evaluateEveryMs` it
// evaluates every rule, then sends the deliveries that are due. The clock is a parameter
// so a test moves time instead of sleeping. One pass at a time per process; a second
// server process evaluating at once cannot open a second alert (alerts_open index).

export type AlertEngineOptions = {
  evaluateEveryMs: number;
  smtpUrl: string | undefined;
  from: string;
  now?: () => number;
  log?: (m: string) => void;
};

/** Failed attempts before a delivery is 'failed' for good (an admin can retry it from /alerts). */
export const DELIVERY_MAX_ATTEMPTS = 8;

/** 5 s, 10 s, 20 s … capped at 10 min. */
export function deliveryBackoffMs(attempts: number): number {
  return Math.min(10 * 60_000, 5000 * 2 ** Math.max(0, attempts - 1));
}

export type PassReport = { rules: number; fired: number; delivered: number; failed: number; ms: number };

export class AlertEngine {
  private readonly ticker = new Ticker(() => this.passOnce());
  readonly now: () => number;
  /** The last pass, shown on /alerts (evaluation health). */
  last: (PassReport & { at: string; error?: string }) | null = null;

  constructor(
    private readonly ledger: Ledger,
    private readonly opts: AlertEngineOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** A failed pass is already in `last` (shown on /alerts); the timer goes on. */
  start(): void {
    this.ticker.start(this.opts.evaluateEveryMs);
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  /** Evaluates every rule, then delivers; the running pass when one is under way. */
  pass(): Promise<PassReport> {
    return this.ticker.run();
  }

  private async passOnce(): Promise<PassReport> {
    const started = performance.now();
    const at = new Date(this.now()).toISOString();
    try {
      let fired = 0;
      const rules = await listRules(this.ledger.db);
      for (const rule of rules) {
        fired += await evaluateRule(this.ledger, rule, this.now()).catch((e: unknown) => {
          this.opts.log?.(`alert rule ${rule.name}: ${(e as Error).message}`);
          return 0;
        });
      }
      const { delivered, failed } = await this.deliver();
      this.last = { rules: rules.length, fired, delivered, failed, ms: performance.now() - started, at };
      return this.last;
    } catch (e) {
      this.last = { rules: 0, fired: 0, delivered: 0, failed: 0, ms: 0, at, error: (e as Error).message };
      throw e;
    }
  }

  /** Sends every due delivery once; failures are rescheduled with back-off. */
  async deliver(): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    let failed = 0;
    for (const d of await dueDeliveries(this.ledger.db, new Date(this.now()).toISOString(), 100)) {
      if (await this.deliverOne(d)) delivered++;
      else failed++;
    }
    return { delivered, failed };
  }

  private async deliverOne(d: Delivery): Promise<boolean> {
    const a = await alertById(this.ledger.db, d.alertId);
    if (!a) {
      await markAttemptFailed(this.ledger.db, d.id, "the alert no longer exists", null);
      return false;
    }
    const rule = await ruleById(this.ledger.db, a.ruleId);
    const notice = noticeOf(this.ledger.config.origin, a, rule?.condition.kind ?? "deleted rule", d.event, this.now());
    try {
      await sendToChannel(d.target, notice, {
        signingKey: () => this.ledger.signingKey(),
        smtpUrl: this.opts.smtpUrl,
        from: this.opts.from,
      });
      await markSent(this.ledger.db, d.id, new Date(this.now()).toISOString());
      return true;
    } catch (e) {
      const attempts = d.attempts + 1;
      const next =
        attempts >= DELIVERY_MAX_ATTEMPTS ? null : new Date(this.now() + deliveryBackoffMs(attempts)).toISOString();
      await markAttemptFailed(this.ledger.db, d.id, (e as Error).message, next);
      this.opts.log?.(`alert ${a.ruleName} → ${d.kind}: attempt ${attempts} failed: ${(e as Error).message}`);
      return false;
    }
  }
}
