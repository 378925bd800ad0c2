import { describe, expect, it } from "vitest";
import { FaultRegistry, isActive } from "../../src/model/faults.js";
import type { ProcessFaultState } from "../../src/model/process-faults.js";

describe("fault registry", () => {
  it("is active from at for `for`, or to the end", () => {
    expect(isActive({ atMs: 10, forMs: 5, fault: "estop" }, 9)).toBe(false);
    expect(isActive({ atMs: 10, forMs: 5, fault: "estop" }, 10)).toBe(true);
    expect(isActive({ atMs: 10, forMs: 5, fault: "estop" }, 15)).toBe(false);
    expect(isActive({ atMs: 10, fault: "estop" }, 1e12)).toBe(true);
  });

  it("tells the device layer which device faults are active, combined", () => {
    const r = new FaultRegistry([
      { atMs: 25 * 60_000, fault: "offline", device: "analyzer-1", forMs: 20_000 },
      { atMs: 0, fault: "slow", device: "rio-1", delayMs: 400 },
      { atMs: 0, fault: "exception", device: "rio-1", code: 6, forMs: 1000 },
      { atMs: 0, fault: "corrupt", device: "flow-501" },
    ]);
    expect(r.activeDeviceFaults("analyzer-1", 0)).toEqual({});
    expect(r.activeDeviceFaults("analyzer-1", 25 * 60_000 + 1)).toEqual({ offline: true });
    expect(r.activeDeviceFaults("rio-1", 500)).toEqual({ slowMs: 400, exception: 6 });
    expect(r.activeDeviceFaults("rio-1", 1000)).toEqual({ slowMs: 400 });
    expect(r.activeDeviceFaults("flow-501", 1)).toEqual({ corrupt: true });
    expect(r.activeDeviceFaults("vfd-p101", 1)).toEqual({});
  });

  it("turns process faults into the plant's state; the later-started wins", () => {
    const r = new FaultRegistry([
      { atMs: 0, fault: "feed-turbidity", value: 40, forMs: 100 },
      { atMs: 50, fault: "feed-turbidity", value: 80 },
      { atMs: 0, fault: "drive-trip", device: "vfd-p301" },
      { atMs: 0, fault: "valve-stuck" },
      { atMs: 0, fault: "uf-fouling", rate: 2 },
    ]);
    const s0 = r.processState(10);
    expect(s0.feedTurbidityNtu).toBe(40);
    expect(s0.driveTrip).toEqual({ "vfd-p101": null, "vfd-p301": 1 });
    expect(s0.valveStuck).toBe("here");
    expect(s0.ufFouling).toEqual({ bar: 0, ratePerH: 2, sinceMs: 0 });
    expect(r.processState(60).feedTurbidityNtu).toBe(80);
    expect(r.processState(200).feedTurbidityNtu).toBe(80);
  });

  it("pushes process faults into the plant only when one starts or ends", () => {
    const r = new FaultRegistry([{ atMs: 1000, fault: "estop", forMs: 500 }]);
    const seen: [number, boolean][] = [];
    const target = { setProcessFaults: (s: ProcessFaultState) => seen.push([t, s.estopOpen]) };
    let t = 0;
    for (; t < 3000; t += 100) r.applyTo(target, t);
    expect(seen).toEqual([
      [0, false],
      [1000, true],
      [1500, false],
    ]);
  });

  it("keeps sensor faults per tag in start order", () => {
    const r = new FaultRegistry([
      { atMs: 20, fault: "offset", tag: "AIT-403", value: 1 },
      { atMs: 10, fault: "spike", tag: "AIT-403", value: 2 },
    ]);
    expect(r.forTag("AIT-403").map((e) => e.fault)).toEqual(["spike", "offset"]);
    expect(r.forTag("AIT-401")).toEqual([]);
  });
});
