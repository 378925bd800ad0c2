// The small pieces every command relies on: values typed on the command line (a wrong type
// is a usage error before anything is sent), points in time, and the trend lines of
// `status --watch`.
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { duration, number, outputValue, parseTime, period, unitRange } from "../../src/cli/parse.js";
import { sparkline, TrendWindow } from "../../src/cli/sparkline.js";

const NOW = new Date(2026, 10, 28, 14, 30, 0).getTime();

describe("command-line values", () => {
  it("parses numbers, durations with units, output values and unit ranges", () => {
    expect(number(" 70.5 ")).toBe(70.5);
    expect(duration("10m")).toBe(600_000);
    expect(outputValue("ON")).toBe(true);
    expect(outputValue("off")).toBe(false);
    expect(outputValue("42")).toBe(42);
    expect(unitRange("1-16")).toEqual({ from: 1, to: 16 });
    expect(unitRange("7")).toEqual({ from: 7, to: 7 });
  });

  it("refuses wrong types with a message that says what is expected", () => {
    expect(() => number("fast")).toThrow(InvalidArgumentError);
    expect(() => duration("10")).toThrow(/write it with its unit/);
    expect(() => outputValue("maybe")).toThrow(/neither true\/false/);
    expect(() => unitRange("a-b")).toThrow(/not a unit id/);
  });

  it("reads times: now, today, yesterday, -2h, dates and date-times", () => {
    const midnight = new Date(2026, 10, 28).getTime();
    expect(parseTime("now", NOW)).toBe(NOW);
    expect(parseTime("-2h", NOW)).toBe(NOW - 7_200_000);
    expect(parseTime("now-15m", NOW)).toBe(NOW - 900_000);
    expect(parseTime("today", NOW)).toBe(midnight);
    expect(parseTime("yesterday", NOW)).toBe(midnight - 86_400_000);
    expect(parseTime("2026-11-28", NOW)).toBe(midnight);
    expect(parseTime("2026-11-28T14:00Z", NOW)).toBe(Date.UTC(2026, 10, 28, 14));
    expect(() => parseTime("someday", NOW)).toThrow(/not a time/);
    expect(period({ last: 3_600_000 }, 86_400_000, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
    expect(() => period({ from: NOW, to: NOW - 1 }, 1, NOW)).toThrow(/must start before it ends/);
  });
});

describe("sparklines", () => {
  it("scales between the window's lowest and highest value, with gaps for missing samples", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([1, null, 1])).toBe("▄ ▄");
    expect(sparkline([null, null])).toBe("  ");
  });

  it("keeps the latest samples of each series", () => {
    const w = new TrendWindow(3);
    for (const v of [1, 2, 3, 4]) w.push("CCP-1", v);
    expect(w.values("CCP-1")).toEqual([2, 3, 4]);
    expect(w.range("CCP-1")).toBe("2–4");
    expect(w.range("CCP-9")).toBe("");
  });
});
