// Durations as people write them, in the config and the scenario files alike.
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/units.js";

describe("parseDuration", () => {
  it("reads one part or several, largest first: 500ms, 90s, 1.5m, 2m10s, 1h5m", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    expect(parseDuration("2m10s")).toBe(130_000);
    expect(parseDuration("1h5m")).toBe(3_900_000);
    expect(parseDuration("1d")).toBe(86_400_000);
  });

  it("refuses a bare number, a space, an unknown unit or trailing junk", () => {
    for (const bad of ["10", "5 min", "5 m", "2x", "2m10", "m10s", "", "1h5mx"]) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it("formats what it reads back to the same milliseconds", () => {
    for (const ms of [500, 90_000, 300_000, 7_200_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
