// The simulator's drive and flowmeter profiles (REFERENCE-SKID.md), through the same slave
// logic every framing uses, decoded with the controller's codec as the reference config reads them.
import { describe, expect, it } from "vitest";
import { driveDevice, DRIVE_SPEED_FULL_SCALE } from "../../../hil-sim/src/devices/drive.js";
import { flowmeterDevice, totalizerCounts } from "../../../hil-sim/src/devices/flowmeter.js";
import { ProcessImage } from "../../../hil-sim/src/devices/image.js";
import { encodeRequestPdu } from "../../../hil-sim/src/modbus/memory-transport.js";
import { handlePdu, type SlaveDevice } from "../../../hil-sim/src/modbus/slave.js";
import { decodeRegisters } from "../../../src/field/modbus/codec.js";
import type { ModbusRequest } from "../../../src/field/modbus/transport.js";

function ask(dev: SlaveDevice, req: ModbusRequest): number[] | string {
  const pdu = handlePdu(dev, encodeRequestPdu(req));
  if ((pdu[0] ?? 0) & 0x80) return `exception ${pdu[1]}`;
  if (req.fc !== 3 && req.fc !== 4) return [];
  return Array.from({ length: req.count }, (_, i) => pdu.readUInt16BE(2 + i * 2));
}

describe("drive profile", () => {
  const image = new ProcessImage();
  const vfd = driveDevice(image, { name: "vfd-p101", unit: 1 });

  it("HR0/HR1 are the controller's control word and speed reference, kept in the process image", () => {
    expect(ask(vfd, { fc: 16, unit: 1, address: 0, values: [0x81, 15000] })).toEqual([]);
    expect([image.holding.get("vfd-p101:0"), image.holding.get("vfd-p101:1")]).toEqual([0x81, 15000]);
    expect(ask(vfd, { fc: 6, unit: 1, address: 1, value: 20000 })).toEqual([]);
    expect(ask(vfd, { fc: 3, unit: 1, address: 0, count: 2 })).toEqual([0x81, 20000]);
  });

  it("HR50..54: status word, speed, current, power and fault code, from the plant", () => {
    image.drives.set("vfd-p101", { ready: true, running: true, fault: true, speedPct: 75, currentA: 31.46, powerKw: 15.04, faultCode: 7 });
    const [status, speed, current, power, code] = ask(vfd, { fc: 3, unit: 1, address: 50, count: 5 }) as number[];
    expect(status).toBe(0b1011); // ready, running, fault (bit 3)
    expect(speed).toBe(0.75 * DRIVE_SPEED_FULL_SCALE);
    expect([current, power, code]).toEqual([315, 150, 7]);
  });

  it("a drive the plant has not set reports ready and stopped", () => {
    const fresh = driveDevice(new ProcessImage(), { name: "vfd-p301", unit: 2 });
    expect(ask(fresh, { fc: 3, unit: 2, address: 50, count: 5 })).toEqual([1, 0, 0, 0, 0]);
  });

  it("illegal addresses and functions are refused, and read-only registers are not written", () => {
    expect(ask(vfd, { fc: 3, unit: 1, address: 2, count: 1 })).toBe("exception 2");
    expect(ask(vfd, { fc: 3, unit: 1, address: 0, count: 55 })).toBe("exception 2");
    expect(ask(vfd, { fc: 6, unit: 1, address: 50, value: 1 })).toBe("exception 2");
    expect(ask(vfd, { fc: 16, unit: 1, address: 1, values: [1, 2] })).toBe("exception 2");
    expect(ask(vfd, { fc: 4, unit: 1, address: 0, count: 1 })).toBe("exception 2");
    expect(ask(vfd, { fc: 1, unit: 1, address: 0, count: 1 })).toBe("exception 1");
  });
});

describe("flowmeter profile", () => {
  const image = new ProcessImage();
  const meter = flowmeterDevice(image, { name: "flow-201", unit: 3, tag: "FIT-201" });

  it("IR0–1 flow float32 ABCD, IR2–3 totalizer uint32 in 0.001 m³, IR4 status bits", () => {
    image.analog.set("FIT-201", 28.5);
    image.totals.set("FIT-201", 98765.4321);
    image.status.set("FIT-201", 0b10);
    const regs = ask(meter, { fc: 4, unit: 3, address: 0, count: 5 }) as number[];
    expect(decodeRegisters(regs.slice(0, 2), "float32", "ABCD")).toBe(28.5);
    expect(decodeRegisters(regs.slice(2, 4), "uint32", "ABCD")).toBe(98765432);
    expect(regs[4]).toBe(0b10);
  });

  it("the totalizer wraps at 2^32 counts, as the meter's counter does", () => {
    expect(totalizerCounts(0x1_0000_0000 / 1000 + 1)).toBe(1000);
    expect(totalizerCounts(-5)).toBe(0);
  });

  it("only input registers 0..4", () => {
    expect(ask(meter, { fc: 4, unit: 3, address: 4, count: 2 })).toBe("exception 2");
    expect(ask(meter, { fc: 3, unit: 3, address: 0, count: 1 })).toBe("exception 2");
    expect(ask(meter, { fc: 6, unit: 3, address: 0, value: 1 })).toBe("exception 1");
  });
});
