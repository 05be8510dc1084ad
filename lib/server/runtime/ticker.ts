import "server-only";

/**
 * A background pass run on an interval, never two at once: the SIEM streamer, the alert
 * engine and the review scheduler each kept this timer, its "a pass is under way" promise and
 * its stop-then-wait by hand. `run()` joins the pass under way instead of starting a second one
 * (two passes would send a SIEM batch twice or build a review pack twice); `stop()` clears the
 * timer and waits for that pass, so it never meets a closed store. The timer is unref'd: a
 * background pass never keeps the process alive on its own.
 */
export class Ticker<T> {
  private running: Promise<T> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly passOnce: () => Promise<T>) {}

  /** A pass now, or the one already under way. */
  run(): Promise<T> {
    this.running ??= this.passOnce().finally(() => (this.running = null));
    return this.running;
  }

  /** A pass every `everyMs` (none when it is 0 or less); a failed pass goes to `onError`, the next one still runs. */
  start(everyMs: number, onError: (e: unknown) => void = () => undefined): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.run().catch(onError), everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way (its failure is the pass's own business). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
