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

  describe("answer errors (exceptions): alive on the wire, but no data", () => {
    it("exceptions only: degraded, then offline after demoteAfter in a row, never demoted (polled at its rate)", () => {
      let h = recordSuccess(initialHealth("d"), 10);
      h = recordAnswerError(h, cfg, "exception 4", 1);
      h = recordAnswerError(h, cfg, "exception 4", 2);
      expect(h).toMatchObject({ status: "degraded", withoutData: 2, consecutiveFailures: 0 });
      expect(healthTags(h, at)[0]?.value).toBe(true);
      h = recordAnswerError(h, cfg, "exception 4", 3);
      expect(h).toMatchObject({ status: "offline", withoutData: 3, consecutiveFailures: 0, demotedUntil: null, errorCount: 3, lastError: "exception 4" });
      expect(healthTags(h, at)[0]).toMatchObject({ tag: "d.online", value: false });
      expect(mayPoll(h, 0)).toBe(true);
      for (let i = 0; i < 10; i++) h = recordAnswerError(h, cfg, "exception 4", 4 + i);
      expect(h).toMatchObject({ status: "offline", demotedUntil: null });
    });

    it("exceptions while another poll block of the device answers: degraded, however many", () => {
      let h = recordSuccess(initialHealth("d"), 10);
      for (let i = 0; i < 20; i++) h = recordAnswerError(h, cfg, "exception 2", i, { everyReadFailing: false });
      expect(h).toMatchObject({ status: "degraded", withoutData: 20, demotedUntil: null });
      expect(healthTags(h, at)[0]?.value).toBe(true);
      // The answering block's next good read starts the count again.
      h = recordSuccess(h, 10, true);
      expect(h).toMatchObject({ status: "degraded", withoutData: 0 });
    });

    it("online again at the first good answer", () => {
      let h = recordSuccess(initialHealth("d"), 10);
      for (let i = 0; i < 5; i++) h = recordAnswerError(h, cfg, "exception 4", i);
      expect(h.status).toBe("offline");
      h = recordSuccess(h, 10);
      expect(h).toMatchObject({ status: "online", withoutData: 0, consecutiveFailures: 0, lastError: "exception 4" });
    });

    it("exceptions and no-answers count together towards offline; only no-answers in a row demote", () => {
      let h = recordSuccess(initialHealth("d"), 10);
      h = recordAnswerError(h, cfg, "exception 4", 1);
      h = recordFailure(h, cfg, "no answer", 100, 2);
      expect(h).toMatchObject({ status: "degraded", withoutData: 2, consecutiveFailures: 1 });
      h = recordFailure(h, cfg, "no answer", 200, 3);
      expect(h).toMatchObject({ status: "offline", withoutData: 3, consecutiveFailures: 2, demotedUntil: null });
      h = recordFailure(h, cfg, "no answer", 300, 4);
      expect(h).toMatchObject({ status: "offline", consecutiveFailures: 3, demotedUntil: 5300 });
    });

    it("a demoted device whose probe is answered with an exception: polled at its rate again, still offline", () => {
      let h = recordSuccess(initialHealth("d"), 10);
      for (let i = 0; i < 3; i++) h = recordFailure(h, cfg, "no answer", 100 * i, i);
      expect(h.demotedUntil).not.toBeNull();
      h = recordAnswerError(h, cfg, "exception 6", 9);
      expect(h).toMatchObject({ status: "offline", demotedUntil: null, consecutiveFailures: 0 });
    });

    it("before any good answer: an exception does not make it online", () => {
      const h = recordAnswerError(initialHealth("d"), cfg, "exception 4", 1, { everyReadFailing: false });
      expect(h).toMatchObject({ status: "offline", withoutData: 1 });
    });

    it("a write that does not read back: degraded, not a request, not towards offline", () => {
      let h = recordSuccess(initialHealth("d"), 10);
      for (let i = 0; i < 5; i++) h = recordAnswerError(h, cfg, "read-back mismatch", i, { request: false });
      expect(h).toMatchObject({ status: "degraded", withoutData: 0, requestCount: 1, errorCount: 5 });
    });
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
