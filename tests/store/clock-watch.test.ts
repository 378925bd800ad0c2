// Wall-clock step detection from (wall, mono) pairs.
import { describe, expect, it } from "vitest";
import { ClockWatch } from "../../src/store/clock-watch.js";

describe("clock watch", () => {
  it("ignores steady progress and small slews, reports steps over 2 s either way", () => {
    const w = new ClockWatch();
    expect(w.observe(1_000_000, 0)).toBeUndefined();
    expect(w.observe(1_001_000, 1000)).toBeUndefined();
    expect(w.observe(1_003_500, 2000)).toBeUndefined(); // +1.5 s: slewing, not a step
    expect(w.observe(1_010_000, 3000)).toEqual({ stepMs: 5500, wallExpected: 1_004_500, wallAfter: 1_010_000, mono: 3000 });
    expect(w.observe(1_011_000, 4000)).toBeUndefined();
    expect(w.observe(900_000, 5000)?.stepMs).toBe(-112_000);
  });

  it("sees a first NTP sync from a 1970 clock as a step", () => {
    const w = new ClockWatch();
    w.observe(5_000, 5_000);
    expect(w.observe(Date.UTC(2026, 0, 1), 6_000)?.stepMs).toBeGreaterThan(1e12);
  });
});
