// CCP-1 (product turbidity) through the whole scan, with an injected clock: the edges of
// the limit and the delay, a spike shorter than the delay, and bad quality.
import { describe, expect, it } from "vitest";
import { GOOD, bad, type Quality, type TagSample } from "../../src/core/quality.js";
import { modelOf } from "../../src/core/model.js";
import { initialState, scan, type CoreState } from "../../src/core/scan.js";
import { referenceConfig } from "../helpers/config.js";

const model = modelOf(referenceConfig());
// FIT-501: the product flow, which the return to reuse needs to know the contact pipe has been flushed.
const GOOD_VALUES: Record<string, number> = { "AIT-403": 0.08, "AIT-301": 2000, "AIT-302": 40, "AIT-401": 1.0, "AIT-402": 7.4, "FIT-501": 30 };

/** A tiny harness: feeds every CCP input each second (as a 1 s analyzer poll would) and scans every 100 ms. */
class Harness {
  now = 0;
  // In Execute from the start: these tests are about the CCP, not about start-up.
  state: CoreState = initialState(model, 0, { state: "Execute" });
  values = { ...GOOD_VALUES };
  quality: Quality = GOOD;
  /** Tags whose reading is frozen (a stuck analyzer): no noise at all. */
  frozen = new Set<string>();
  modeAt: Array<{ t: number; mode: string }> = [];

  samples(): TagSample[] {
    // Real analyzers are noisy; a constant value would (rightly) be flagged flat-lined after 10 min.
    // Downward only, so a value set exactly at a limit never crosses it.
    const jitter = (this.now / 1000) % 2 === 0 ? 0 : -1;
    const analog: TagSample[] = Object.entries(this.values).map(([tag, value]) => ({
      tag,
      value: this.frozen.has(tag) ? value : value + jitter * 1e-5,
      quality: tag === "AIT-403" ? this.quality : GOOD,
      sourceTs: this.now,
      mono: this.now,
    }));
    // The valve's limit switches follow its coil at once (travel is the valve tests' business).
    const reuse = this.state.outputs["XV-501"] === true;
    const feedback = (tag: string, value: boolean): TagSample => ({ tag, value, quality: GOOD, sourceTs: this.now, mono: this.now });
    return [...(this.now % 1000 === 0 ? analog : []), feedback("ZSO-501", reuse), feedback("ZSC-501", !reuse)];
  }

  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 100;
      const r = scan(model, this.state, { samples: this.samples() }, this.now, this.now);
      for (const e of r.events) if (e.type === "quality-mode") this.modeAt.push({ t: this.now, mode: e.mode });
      this.state = r.state;
    }
  }

  get mode(): string {
    return this.state.divert.mode;
  }
}

/** A harness already verified and in Reuse. */
function inReuse(): Harness {
  const h = new Harness();
  h.run(301_000);
  expect(h.mode).toBe("Reuse");
  h.modeAt = [];
  return h;
}

describe("CCP-1 product turbidity (critical > 0.5 NTU for 10 s)", () => {
  it("starts diverted and returns to reuse only after the 300 s verification", () => {
    const h = new Harness();
    h.run(299_000);
    expect(h.mode).toBe("Divert");
    h.run(2_000);
    expect(h.mode).toBe("Reuse");
  });

  it("stays in reuse exactly at the limit and just below it", () => {
    const h = inReuse();
    h.values["AIT-403"] = 0.5;
    h.run(60_000);
    h.values["AIT-403"] = 0.4999;
    h.run(60_000);
    expect(h.mode).toBe("Reuse");
    expect(h.state.ccps["CCP-1"]?.status).toBe("alert");
  });

  it("diverts 10 s after the value goes just above the limit, not before", () => {
    const h = inReuse();
    const t0 = h.now;
    h.values["AIT-403"] = 0.5001;
    h.run(9_900);
    expect(h.mode).toBe("Reuse");
    expect(h.state.ccps["CCP-1"]?.status).toBe("pending");
    h.run(1_100);
    expect(h.mode).toBe("Divert");
    const divertAt = h.modeAt[0]?.t ?? NaN;
    // The sample arrives at the next whole second; the delay counts from there.
    expect(divertAt - t0).toBeGreaterThanOrEqual(10_000);
    expect(divertAt - t0).toBeLessThanOrEqual(11_000);
    expect(h.state.divert.firstOut?.ccp).toBe("CCP-1");
  });

  it("ignores a spike shorter than the delay", () => {
    const h = inReuse();
    h.values["AIT-403"] = 2.0;
    h.run(8_000);
    h.values["AIT-403"] = 0.08;
    h.run(30_000);
    expect(h.mode).toBe("Reuse");
    expect(h.modeAt).toEqual([]);
  });

  it("diverts at once on a bad-quality input, whatever its value", () => {
    const h = inReuse();
    h.quality = bad("no-comm", "analyzer-1 offline");
    h.run(1_000);
    expect(h.mode).toBe("Divert");
    expect(h.state.divert.firstOut?.reason).toMatch(/AIT-403 bad \(no-comm/);
  });

  it("latches: back in spec, it stays diverted for the verification period", () => {
    const h = inReuse();
    h.values["AIT-403"] = 0.9;
    h.run(12_000);
    expect(h.mode).toBe("Divert");
    h.values["AIT-403"] = 0.08;
    h.run(295_000);
    expect(h.mode).toBe("Divert");
    h.run(10_000);
    expect(h.mode).toBe("Reuse");
  });

  it("a flat-lined analyzer (reading frozen for its 60 s window) is off-spec, not a second before", () => {
    const h = inReuse();
    h.frozen.add("AIT-403");
    h.run(1000);
    const frozenAt = h.now;
    h.run(59_000);
    expect(h.mode).toBe("Reuse");
    h.run(1_100);
    expect(h.state.tags["AIT-403"]?.quality.reason).toBe("flatline");
    expect(h.mode).toBe("Divert");
    expect(h.now - frozenAt).toBeLessThanOrEqual(61_100);
  });

  it("a stale input (no sample for 3 poll periods) is off-spec at once", () => {
    const h = inReuse();
    const stop = h.now;
    let t = stop;
    // Stop feeding samples: scan with none.
    while (t < stop + 3_500) {
      t += 100;
      h.state = scan(model, h.state, { samples: [] }, t, t).state;
    }
    expect(h.state.tags["AIT-403"]?.quality.reason).toBe("stale");
    expect(h.state.divert.mode).toBe("Divert");
  });
});
