import { describe, expect, it } from "vitest";
import { Ticker } from "./ticker.ts";

/** A pass that waits until released, counting how often it started. */
function gatedPass() {
  let release: () => void = () => undefined;
  const state = { started: 0, finished: 0 };
  const pass = async () => {
    state.started++;
    await new Promise<void>((r) => (release = r));
    state.finished++;
    return state.started;
  };
  return { state, pass, release: () => release() };
}

/** Waits (polling, up to 10 s on a loaded machine) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe("Ticker", () => {
  it("joins the pass under way instead of starting a second one", async () => {
    const g = gatedPass();
    const t = new Ticker(g.pass);
    const a = t.run();
    const b = t.run();
    expect(g.state.started).toBe(1);
    g.release();
    expect(await a).toBe(1);
    expect(await b).toBe(1);
    // Once it finished, the next run is a new pass.
    const c = t.run();
    g.release();
    expect(await c).toBe(2);
  });

  it("stop() waits for the pass under way, and no pass starts after it", async () => {
    const g = gatedPass();
    const t = new Ticker(g.pass);
    t.start(5);
    await until(() => g.state.started === 1);
    let stopped = false;
    const s = t.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    g.release();
    await s;
    expect(g.state.finished).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(g.state.started).toBe(1);
  });

  it("keeps ticking after a failed pass, reporting each failure", async () => {
    const errors: string[] = [];
    let n = 0;
    const t = new Ticker(async () => {
      n++;
      throw new Error(`pass ${n} failed`);
    });
    t.start(5, (e) => errors.push((e as Error).message));
    await until(() => errors.length >= 2);
    await t.stop();
    expect(n).toBeGreaterThanOrEqual(2);
    expect(errors.slice(0, 2)).toEqual(["pass 1 failed", "pass 2 failed"]);
  });

  it("does not start a timer for an interval of 0 (the feature is off)", async () => {
    let n = 0;
    const t = new Ticker(async () => void n++);
    t.start(0);
    await new Promise((r) => setTimeout(r, 20));
    await t.stop();
    expect(n).toBe(0);
  });
});
