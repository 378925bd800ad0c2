import { describe, expect, it } from "vitest";
import { CW_RESET, CW_RUN, SW_FAULT, SW_READY, SW_RUNNING } from "../../src/model/drive.js";
import { FaultRegistry, type FaultEvent } from "../../src/model/faults.js";
import { STEADY, type PlantParams } from "../../src/model/params.js";
import { Plant } from "../../src/model/plant.js";

function rig(params: Partial<PlantParams> = {}, events: FaultEvent[] = []) {
  const pl = new Plant({ ...STEADY, ...params }, 1);
  const faults = new FaultRegistry(events);
  let beat = false;
  let beating = true;
  let nextBeat = 0;
  const run = (ms: number) => {
    const end = pl.nowMs + ms;
    while (pl.nowMs < end) {
      if (beating && pl.nowMs >= nextBeat) {
        beat = !beat;
        pl.setGpio("WD-001", beat);
        nextBeat = pl.nowMs + 500;
      }
      faults.applyTo(pl, pl.nowMs);
      pl.step(100);
    }
  };
  const heartbeat = (on: boolean) => {
    beating = on;
    nextBeat = pl.nowMs;
  };
  return { pl, run, heartbeat };
}

describe("drives", () => {
  it("ramp to the speed reference; flow ∝ speed, pressure ∝ speed², power ∝ speed³", () => {
    const { pl, run } = rig();
    pl.setDriveControlWord("vfd-p101", CW_RUN);
    pl.setDriveSpeedRef("vfd-p101", 20000);
    run(5000);
    expect(pl.measure("vfd-p101.speed")).toBeCloseTo(50, 9);
    expect(pl.measure("FIT-201")).toBeCloseTo(30, 9);
    expect(pl.measure("PIT-201")).toBeCloseTo(1, 9);
    run(10_000);
    expect(pl.measure("vfd-p101.speed")).toBe(100);
    expect(pl.measure("vfd-p101.status")).toBe(SW_READY | SW_RUNNING);
    expect(pl.measure("vfd-p101.power")).toBeCloseTo(pl.params.p101RatedKw, 9);
    expect(pl.measure("vfd-p101.current")).toBeGreaterThan(10);
    pl.setDriveControlWord("vfd-p101", 0);
    run(10_000);
    expect(pl.measure("vfd-p101.speed")).toBe(0);
    expect(pl.measure("vfd-p101.current")).toBe(0);
    expect(pl.measure("vfd-p101.status")).toBe(SW_READY);
  });

  it("trip on drive-trip, stay tripped after the cause ends, and restart only after reset and a fresh run command", () => {
    const { pl, run } = rig({ initialRunning: true }, [{ atMs: 10_000, fault: "drive-trip", device: "vfd-p301", value: 7, forMs: 10_000 }]);
    run(11_000);
    expect(pl.measure("vfd-p301.status") & SW_FAULT).toBe(SW_FAULT);
    expect(pl.measure("vfd-p301.faultCode")).toBe(7);
    pl.setDriveControlWord("vfd-p301", CW_RUN | CW_RESET); // cause still present: ignored
    run(9000);
    expect(pl.measure("vfd-p301.speed")).toBe(0);
    expect(pl.measure("FIT-301")).toBe(0);
    expect(pl.measure("vfd-p301.faultCode")).toBe(7);
    run(5000); // cause gone, fault still latched
    expect(pl.measure("vfd-p301.status") & SW_FAULT).toBe(SW_FAULT);
    pl.setDriveControlWord("vfd-p301", CW_RUN);
    pl.setDriveControlWord("vfd-p301", CW_RUN | CW_RESET);
    expect(pl.measure("vfd-p301.status")).toBe(SW_READY);
    expect(pl.measure("vfd-p301.faultCode")).toBe(0);
    run(5000); // run was held through the reset: switch-on inhibit
    expect(pl.measure("vfd-p301.speed")).toBe(0);
    pl.setDriveControlWord("vfd-p301", 0);
    pl.setDriveControlWord("vfd-p301", CW_RUN);
    run(5000);
    expect(pl.measure("vfd-p301.speed")).toBeGreaterThan(40);
  });
});

describe("XV-501 and the reuse permissive", () => {
  it("goes to reuse only with coil and XY-501, travelling 3 s with the limit switches made only at the ends", () => {
    const { pl, run } = rig();
    pl.setCoil("XV-501", true);
    run(5000);
    expect(pl.measure("ZSC-501")).toBe(1); // XY-501 not given
    pl.setGpio("XY-501", true);
    run(1500);
    expect([pl.measure("ZSO-501"), pl.measure("ZSC-501")]).toEqual([0, 0]);
    run(1500);
    expect([pl.measure("ZSO-501"), pl.measure("ZSC-501")]).toEqual([1, 0]);
    pl.setGpio("XY-501", false);
    run(2900);
    expect([pl.measure("ZSO-501"), pl.measure("ZSC-501")]).toEqual([0, 0]);
    run(100);
    expect([pl.measure("ZSO-501"), pl.measure("ZSC-501")]).toEqual([0, 1]);
    expect(pl.ledger.diverts).toEqual([{ atMs: 8100 }]);
  });

  it("diverts when the watchdog heartbeat stops for longer than 2 s, and returns after two fresh heartbeats", () => {
    const { pl, run, heartbeat } = rig({ initialRunning: true });
    run(10_000);
    expect(pl.measure("ZSO-501")).toBe(1);
    heartbeat(false); // the last edge was at 9.5 s
    run(1500);
    expect(pl.watchdog.contactClosed).toBe(true);
    run(200);
    expect(pl.watchdog.contactClosed).toBe(false);
    run(3000);
    expect(pl.measure("ZSC-501")).toBe(1);
    heartbeat(true);
    run(400); // one edge: not yet
    expect(pl.watchdog.contactClosed).toBe(false);
    run(600); // second edge within 2 s
    expect(pl.watchdog.contactClosed).toBe(true);
    run(3100);
    expect(pl.measure("ZSO-501")).toBe(1);
  });

  it("starts with the watchdog relay dropped until the heartbeat starts", () => {
    const pl = new Plant({ ...STEADY }, 1);
    expect(pl.watchdog.contactClosed).toBe(false);
  });

  it("valve-stuck in reuse keeps it in reuse while commanded to divert, until the fault ends", () => {
    const { pl, run } = rig({ initialRunning: true }, [{ atMs: 5000, fault: "valve-stuck", position: "reuse", forMs: 20_000 }]);
    run(6000);
    pl.setCoil("XV-501", false);
    run(10_000);
    expect(pl.measure("ZSO-501")).toBe(1);
    expect(pl.flows.toReuse).toBeCloseTo(30, 9);
    run(15_000);
    expect(pl.measure("ZSC-501")).toBe(1);
  });

  it("valve-stuck in divert lets it reach divert, then holds it there", () => {
    const { pl, run } = rig({ initialRunning: true }, [{ atMs: 5000, fault: "valve-stuck", position: "divert" }]);
    run(10_000);
    expect(pl.measure("ZSO-501")).toBe(1);
    pl.setCoil("XV-501", false);
    run(4000);
    pl.setCoil("XV-501", true);
    run(10_000);
    expect(pl.measure("ZSC-501")).toBe(1);
  });

  it("valve-stuck without a position freezes it mid-travel, both limit switches open", () => {
    const { pl, run } = rig({ initialRunning: true }, [{ atMs: 1500, fault: "valve-stuck" }]);
    pl.setCoil("XV-501", false);
    run(10_000);
    expect(pl.valve.position).toBeCloseTo(0.5, 9);
    expect([pl.measure("ZSO-501"), pl.measure("ZSC-501")]).toEqual([0, 0]);
    expect(pl.flows.toReuse).toBeCloseTo(15, 9);
  });
});

describe("emergency stop", () => {
  it("opens HS-001 for the fault's duration; by default only the controller reacts", () => {
    const { pl, run } = rig({ initialRunning: true }, [{ atMs: 1000, fault: "estop", forMs: 5000 }]);
    run(2000);
    expect(pl.measure("HS-001")).toBe(0);
    expect(pl.measure("vfd-p301.speed")).toBe(80);
    run(5000);
    expect(pl.measure("HS-001")).toBe(1);
  });

  it("with estopHardwired cuts the drives (safe torque off) and the rio-1 outputs", () => {
    const { pl, run } = rig({ initialRunning: true, estopHardwired: true }, [{ atMs: 1000, fault: "estop", forMs: 10_000 }]);
    run(10_000);
    expect(pl.measure("vfd-p301.speed")).toBe(0);
    expect(pl.measure("vfd-p301.status") & SW_READY).toBe(0);
    expect(pl.measure("P-401-RUN")).toBe(0);
    expect(pl.measure("ZSC-501")).toBe(1);
    run(5000);
    expect(pl.measure("vfd-p301.speed")).toBe(0); // run held through: needs a fresh run command
    pl.setDriveControlWord("vfd-p301", 0);
    pl.setDriveControlWord("vfd-p301", CW_RUN);
    run(2000);
    expect(pl.measure("vfd-p301.speed")).toBeGreaterThan(0);
  });
});

describe("measure", () => {
  it("answers every sensor tag and throws for an unknown one", async () => {
    const { SENSOR_TAGS, DERIVED_TAGS } = await import("../../src/model/tags.js");
    const pl = new Plant({ initialRunning: true }, 1);
    for (const t of [...SENSOR_TAGS, ...DERIVED_TAGS]) expect(Number.isFinite(pl.measure(t)), t).toBe(true);
    expect(() => pl.measure("AIT-999")).toThrow(/unknown tag "AIT-999"/);
    expect(() => pl.measure("vfd-p101.torque")).toThrow(/unknown tag/);
  });
});
