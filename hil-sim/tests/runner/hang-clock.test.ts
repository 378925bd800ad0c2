// The controller's hangable clock: while hung none of its timers fire; they all fire, late
// and in order, when the hang ends; time itself never stops.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/time/virtual.js";
import { HangableClock } from "../../src/runner/hang-clock.js";

describe("HangableClock", () => {
  it("passes timers through while not hung", async () => {
    const inner = new VirtualClock();
    const c = new HangableClock(inner);
    const fired: number[] = [];
    c.setTimer(() => fired.push(c.now()), 100);
    await inner.advance(150);
    expect(fired).toEqual([100]);
    expect(inner.pendingTimers).toBe(0);
  });

  it("holds every timer due during a hang until it ends, then fires them in order", async () => {
    const inner = new VirtualClock();
    const c = new HangableClock(inner);
    const fired: Array<[string, number]> = [];
    c.setTimer(() => fired.push(["a", c.now()]), 100);
    c.setTimer(() => fired.push(["b", c.now()]), 300);
    c.setTimer(() => fired.push(["late", c.now()]), 2_000);
    c.hang(1_000);
    expect(c.hung).toBe(true);
    await inner.advance(999);
    expect(fired).toEqual([]);
    await inner.advance(1);
    expect(fired).toEqual([
      ["a", 1_000],
      ["b", 1_000],
    ]);
    await inner.advance(1_000);
    expect(fired.at(-1)).toEqual(["late", 2_000]);
    expect(c.hung).toBe(false);
  });

  it("clears a timer that is being held", async () => {
    const inner = new VirtualClock();
    const c = new HangableClock(inner);
    let fired = false;
    const h = c.setTimer(() => (fired = true), 100);
    c.hang(500);
    await inner.advance(200);
    c.clearTimer(h);
    await inner.advance(1_000);
    expect(fired).toBe(false);
    expect(inner.pendingTimers).toBe(0);
  });
});
