import "server-only";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, type Principal } from "../auth/principal.ts";
import type { Ledger } from "../ledger/ledger.ts";

// Reading entry bundles is reading events, so it is meta-audited like a search — but a
// monitor reads thousands of bundles in a minute, and one log entry per bundle would grow
// the log by a fraction of itself on every pass. So per reader: the first bundle read is
// recorded at once; later reads within the minute are counted and recorded together when
// the minute ends (one entry per reader per minute, naming the range of bundles read).

export const TLOG_ENTRIES_TARGET = "ledgerline://tlog/entries";
const WINDOW_MS = 60_000;

type Pending = { count: number; first: number; last: number; timer: NodeJS.Timeout };

export class EntryReadAudit {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly windowMs = WINDOW_MS) {}

  /** Records (or counts, within the window) that `p` read bundle `index`. Throws only when the first record fails. */
  async record(ledger: Ledger, p: Principal, index: number): Promise<void> {
    const key = `${p.kind}:${p.email}`;
    const open = this.pending.get(key);
    if (open) {
      open.count++;
      open.first = Math.min(open.first, index);
      open.last = Math.max(open.last, index);
      return;
    }
    const entry: Pending = {
      count: 0,
      first: index,
      last: index,
      timer: setTimeout(() => this.flush(ledger, p, key), this.windowMs),
    };
    entry.timer.unref();
    this.pending.set(key, entry);
    // Fail closed like every audited read: no record, no data.
    await write(ledger, p, { bundles: 1, firstBundle: index, lastBundle: index });
  }

  private flush(ledger: Ledger, p: Principal, key: string): void {
    const e = this.pending.get(key);
    this.pending.delete(key);
    if (!e || e.count === 0) return;
    write(ledger, p, { bundles: e.count, firstBundle: e.first, lastBundle: e.last }).catch((err: unknown) =>
      console.error(`[ledgerline] tiles read audit not recorded: ${(err as Error).message}`),
    );
  }

  /** Writes every pending count now (tests, shutdown). */
  async drain(ledger: Ledger, p: Principal): Promise<void> {
    const key = `${p.kind}:${p.email}`;
    const e = this.pending.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    this.pending.delete(key);
    if (e.count) await write(ledger, p, { bundles: e.count, firstBundle: e.first, lastBundle: e.last });
  }
}

function write(ledger: Ledger, p: Principal, attributes: Record<string, number>): Promise<number> {
  return recordAudit(ledger, actorOf(p), {
    action: "tlog.entries.read",
    eventType: "read",
    outcome: "success",
    target: { id: TLOG_ENTRIES_TARGET, type: "tlog" },
    attributes,
  });
}
