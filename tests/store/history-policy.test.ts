// The logging policy: deadbands, min/max intervals, quality changes, defaults.
import { describe, expect, it } from "vitest";
import { bad, GOOD, type TagSample, type TagValue } from "../../src/core/quality.js";
import { HistoryPolicy, policyProblems, resolvePolicy } from "../../src/store/history-policy.js";

const s = (value: TagValue, mono: number, tag = "FIT-101", quality = GOOD): TagSample => ({ tag, value, quality, sourceTs: 1e12 + mono, mono });

describe("history policy", () => {
  it("logs the first sample and then only changes beyond the absolute deadband", () => {
    const p = new HistoryPolicy([{ name: "FIT-101", history: { deadband: 0.5, minInterval: 0, maxInterval: 60_000 } }]);
    expect(p.offer(s(10, 0))).toBeDefined();
    expect(p.offer(s(10.4, 100))).toBeUndefined();
    expect(p.offer(s(10.5, 200))).toBeUndefined(); // exactly the deadband is not beyond it
    expect(p.offer(s(10.6, 300))?.value).toBe(10.6);
    expect(p.offer(s(10.2, 400))).toBeUndefined(); // measured from the last logged value
  });

  it("uses the larger of the absolute and the percent-of-span deadband", () => {
    expect(resolvePolicy({ name: "x", range: [0, 200], history: { deadband: 0.5, deadbandPercent: 1, minInterval: 0, maxInterval: 1 } }).deadband).toBe(2);
    expect(resolvePolicy({ name: "x", range: [0, 10], history: { deadband: 0.5, deadbandPercent: 1, minInterval: 0, maxInterval: 1 } }).deadband).toBe(0.5);
    const p = new HistoryPolicy([{ name: "FIT-101", range: [0, 200], history: { deadband: 0, deadbandPercent: 1, minInterval: 0, maxInterval: 60_000 } }]);
    p.offer(s(100, 0));
    expect(p.offer(s(101.9, 1))).toBeUndefined();
    expect(p.offer(s(102.1, 2))).toBeDefined();
  });

  it("reports a percent deadband without a range instead of ignoring it silently", () => {
    expect(policyProblems([{ name: "AIT-1", history: { deadband: 0, deadbandPercent: 2, minInterval: 0, maxInterval: 1 } }])).toEqual([
      "tag AIT-1: history.deadbandPercent needs a range; only the absolute deadband applies",
    ]);
  });

  it("holds a change inside minInterval and logs the latest held value once it passes", () => {
    const p = new HistoryPolicy([{ name: "FIT-101", history: { deadband: 0, minInterval: 1000, maxInterval: 60_000 } }]);
    p.offer(s(1, 0));
    expect(p.offer(s(2, 300))).toBeUndefined();
    expect(p.offer(s(3, 600))).toBeUndefined();
    expect(p.due(900, 0)).toEqual([]);
    expect(p.due(1000, 0).map((x) => x.value)).toEqual([3]);
    expect(p.due(1500, 0)).toEqual([]);
  });

  it("drops a held change when the value returns inside the deadband", () => {
    const p = new HistoryPolicy([{ name: "FIT-101", history: { deadband: 1, minInterval: 1000, maxInterval: 60_000 } }]);
    p.offer(s(10, 0));
    p.offer(s(12, 300));
    p.offer(s(10.5, 600));
    expect(p.due(2000, 0)).toEqual([]);
  });

  it("logs a quality change at once, whatever the deadband and minInterval", () => {
    const p = new HistoryPolicy([{ name: "FIT-101", history: { deadband: 100, minInterval: 10_000, maxInterval: 60_000 } }]);
    p.offer(s(10, 0));
    expect(p.offer(s(10, 50, "FIT-101", bad("no-comm")))?.quality.code).toBe("bad");
    expect(p.offer(s(10, 60, "FIT-101", bad("stale")))?.quality.reason).toBe("stale");
    expect(p.offer(s(10, 70, "FIT-101", bad("stale")))).toBeUndefined();
  });

  it("logs at least every maxInterval: from a sample, or as a heartbeat stamped now", () => {
    const p = new HistoryPolicy([{ name: "FIT-101", history: { deadband: 5, minInterval: 0, maxInterval: 10_000 } }]);
    p.offer(s(10, 0));
    expect(p.offer(s(10.1, 9_999))).toBeUndefined();
    expect(p.offer(s(10.2, 10_000))?.value).toBe(10.2);
    expect(p.due(19_000, 5)).toEqual([]);
    const [hb] = p.due(20_000, 777);
    expect(hb).toMatchObject({ value: 10.2, mono: 20_000, sourceTs: 777 });
  });

  it("treats tags without a history section as: every change, heartbeat each minute", () => {
    const p = new HistoryPolicy();
    p.offer(s(true, 0, "XV-1"));
    expect(p.offer(s(true, 10, "XV-1"))).toBeUndefined();
    expect(p.offer(s(false, 20, "XV-1"))).toBeDefined();
    expect(p.offer(s(1e-9, 30, "LIT-1"))).toBeDefined();
    expect(p.offer(s(2e-9, 40, "LIT-1"))).toBeDefined();
    expect(p.due(59_999, 0)).toEqual([]);
    expect(p.due(60_020, 0).map((x) => x.tag)).toEqual(["XV-1"]);
  });

  it("logs strings and nulls on any change", () => {
    const p = new HistoryPolicy();
    p.offer(s("auto", 0, "MODE"));
    expect(p.offer(s("auto", 1, "MODE"))).toBeUndefined();
    expect(p.offer(s("manual", 2, "MODE"))).toBeDefined();
    expect(p.offer(s(null, 3, "MODE"))).toBeDefined();
  });
});
