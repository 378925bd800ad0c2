// Device health: the states and when they change, demotion, and health as system tags.
import { describe, expect, it } from "vitest";
import { deviceSchema } from "../../../src/config/schema.js";
import { healthTags, initialHealth, mayPoll, recordAnswerError, recordFailure, recordSuccess } from "../../../src/field/modbus/health.js";

const cfg = deviceSchema.parse({ name: "analyzer-1", line: "l", unit: 1, demoteAfter: 3, demotionPeriod: "5s" });
const at = { wall: Date.UTC(2026, 0, 1), mono: 1000 };

describe("device health", () => {
  it("starts offline (never polled), goes online at the first answer", () => {
    const h = initialHealth("analyzer-1");
    expect(h).toMatchObject({ status: "offline", lastError: "not yet polled", responseMs: null });
    expect(recordSuccess(h, 12)).toMatchObject({ status: "online", responseMs: 12, lastError: null, requestCount: 1 });
  });

  it("an online device that misses answers is degraded, then offline and demoted after demoteAfter in a row", () => {
    let h = recordSuccess(initialHealth("analyzer-1"), 10);
    h = recordFailure(h, cfg, "e1", 100, 1);
    expect(h).toMatchObject({ status: "degraded", consecutiveFailures: 1, demotedUntil: null, lastError: "e1", lastErrorAt: 1 });
    h = recordFailure(h, cfg, "e2", 200, 2);
    h = recordFailure(h, cfg, "e3", 300, 3);
    expect(h).toMatchObject({ status: "offline", consecutiveFailures: 3, demotedUntil: 5300, errorCount: 3 });
    expect(mayPoll(h, 5299)).toBe(false);
    expect(mayPoll(h, 5300)).toBe(true);
    // The probe answers: online, demotion over; the last error stays for the record.
    expect(recordSuccess(h, 20)).toMatchObject({ status: "online", demotedUntil: null, consecutiveFailures: 0, lastError: "e3" });
  });

  it("an exception: answered, so degraded and never demoted", () => {
    let h = recordSuccess(initialHealth("d"), 10);
    for (let i = 0; i < 10; i++) h = recordAnswerError(h, "exception 2", i);
    expect(h).toMatchObject({ status: "degraded", consecutiveFailures: 0, demotedUntil: null, errorCount: 10 });
  });

  it("smooths the response time", () => {
    let h = recordSuccess(initialHealth("d"), 10);
    h = recordSuccess(h, 60);
    expect(h.responseMs).toBe(20);
  });

  it("as system tags: <device>.online, .status, .responseMs, .errorCount, .lastError", () => {
    const h = recordFailure(recordSuccess(initialHealth("analyzer-1"), 8.04), cfg, "analyzer-1 unit 1 FC04 IR 0..62: no answer in 300 ms (attempt 2 of 2)", 100, 5);
    expect(healthTags(h, at)).toEqual([
      { tag: "analyzer-1.online", value: true, quality: { code: "good" }, sourceTs: at.wall, mono: at.mono },
      { tag: "analyzer-1.status", value: "degraded", quality: { code: "good" }, sourceTs: at.wall, mono: at.mono },
      { tag: "analyzer-1.responseMs", value: 8, quality: { code: "good" }, sourceTs: at.wall, mono: at.mono },
      { tag: "analyzer-1.errorCount", value: 1, quality: { code: "good" }, sourceTs: at.wall, mono: at.mono },
      { tag: "analyzer-1.lastError", value: "analyzer-1 unit 1 FC04 IR 0..62: no answer in 300 ms (attempt 2 of 2)", quality: { code: "good" }, sourceTs: at.wall, mono: at.mono },
    ]);
  });

  it("before any answer: offline, and a response time not yet read", () => {
    const tags = healthTags(initialHealth("rio-1"), at);
    expect(tags.find((t) => t.tag === "rio-1.online")?.value).toBe(false);
    expect(tags.find((t) => t.tag === "rio-1.responseMs")).toMatchObject({ value: null, quality: { code: "bad", reason: "not-yet-read" } });
  });
});
