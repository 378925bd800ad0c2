// GPIO: outputs at their safe state at start-up, on stop and on the way out of the process;
// debounced inputs (the emergency stop); the heartbeat; active-low wiring; the fake the
// simulator drives; and refusing to start on GPIO the machine does not have.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import type { TagSample } from "../../../src/core/quality.js";
import { FakeGpio, type GpioChange } from "../../../src/field/gpio/fake.js";
import { createGpioBackend, GpioField, gpioLineOf } from "../../../src/field/gpio/field.js";
import { OnoffGpioBackend, sysfsProblem } from "../../../src/field/gpio/onoff.js";
import { ERROR_CODES, ReclaimError } from "../../../src/system/errors.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { fieldConfig } from "../helpers/config.js";

const config = (backend: "fake" | "onoff" = "fake", lineBase = 512): Config =>
  fieldConfig({
    lines: [],
    devices: [],
    gpio: { backend, lineBase },
    tags: [
      // Normally closed: the circuit is made (high) while nobody presses the stop.
      { name: "HS-001", kind: "bool", gpio: { gpio: 17, direction: "in", debounce: "30ms" } },
      { name: "XY-501", kind: "bool", gpio: { gpio: 22, direction: "out" } },
      { name: "WD-001", kind: "bool", gpio: { gpio: 23, direction: "out" } },
      // A horn on a relay board that switches on a low level.
      { name: "XA-001", kind: "bool", gpio: { gpio: 24, direction: "out", activeLow: true } },
    ],
  });

const fields: GpioField[] = [];
afterEach(() => {
  for (const f of fields.splice(0)) f.stop();
});

function start(opts: ConstructorParameters<typeof GpioField>[3] = {}) {
  const cfg = config();
  const clock = new VirtualClock();
  const fake = new FakeGpio();
  const changes: GpioChange[] = [];
  fake.changes$.subscribe((c) => changes.push(c));
  const line = (tag: string) => gpioLineOf(cfg, tag);
  fake.setInput(line("HS-001"), true);
  const gpio = new GpioField(cfg, clock, fake, { heartbeat: "WD-001", ...opts });
  fields.push(gpio);
  const samples: TagSample[] = [];
  gpio.samples$.subscribe((s) => samples.push(...s));
  gpio.start();
  return { cfg, clock, fake, gpio, samples, changes, line };
}

describe("outputs", () => {
  it("start de-energized (their safe state) from the first instant, active-low ones at a high level", () => {
    const { fake, line, changes, gpio } = start();
    expect(line("XY-501")).toBe(512 + 22);
    expect(fake.level(line("XY-501"))).toBe(false);
    expect(fake.level(line("WD-001"))).toBe(false);
    expect(fake.level(line("XA-001"))).toBe(true);
    expect(gpio.output("XA-001")).toBe(false);
    // Each output was opened at its safe level: it never showed the other one.
    expect(changes.filter((c) => c.by === "controller" && c.line === line("XA-001")).map((c) => c.high)).toEqual([true]);
  });

  it("are written by tag, and go back to their safe state on stop", async () => {
    const { fake, line, gpio } = start();
    await gpio.write("XY-501", true);
    await gpio.write("XA-001", 1);
    expect([fake.level(line("XY-501")), fake.level(line("XA-001"))]).toEqual([true, false]);
    gpio.stop();
    expect([fake.level(line("XY-501")), fake.level(line("XA-001"))]).toEqual([false, true]);
    await expect(gpio.write("XY-501", true)).rejects.toThrow("tag XY-501 is not a GPIO output (GPIO stopped)");
  });

  it("a configured safe state other than off is honoured", () => {
    const { fake, line } = start({ safeStates: { "XA-001": true } });
    expect(fake.level(line("XA-001"))).toBe(false); // active low: on = low
  });

  it("a process 'exit' handler drives them safe, synchronously, and stop() removes it", async () => {
    const before = process.listeners("exit").length;
    const { fake, line, gpio } = start();
    const handlers = process.listeners("exit");
    expect(handlers.length).toBe(before + 1);
    await gpio.write("XY-501", true);
    // What the process runs on its way out, even after an uncaught exception.
    (handlers.at(-1) as (code: number) => void)(1);
    expect(fake.level(line("XY-501"))).toBe(false);
    gpio.stop();
    expect(process.listeners("exit").length).toBe(before);
  });

  it("refuses inputs and unknown tags", async () => {
    const { gpio } = start();
    await expect(gpio.write("HS-001", true)).rejects.toThrow("tag HS-001 is not a GPIO output");
    await expect(gpio.write("NOPE", true)).rejects.toThrow("tag NOPE is not a GPIO output");
  });
});

describe("heartbeat", () => {
  it("toggles WD-001 once per call from the scan, and stops (low) when GPIO stops", () => {
    const { fake, line, gpio, changes } = start();
    const levels: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      gpio.heartbeat.toggle();
      levels.push(fake.level(line("WD-001")) ?? false);
    }
    expect(levels).toEqual([true, false, true, false]);
    gpio.heartbeat.toggle();
    gpio.stop();
    gpio.heartbeat.toggle();
    expect(fake.level(line("WD-001"))).toBe(false);
    expect(changes.filter((c) => c.line === line("WD-001")).length).toBe(7);
    expect(gpio.heartbeat.enabled).toBe(true);
  });

  it("is a harmless no-op when no heartbeat output is configured", () => {
    const { gpio } = start({ heartbeat: undefined });
    expect(gpio.heartbeat.enabled).toBe(false);
    expect(() => gpio.heartbeat.toggle()).not.toThrow();
  });
});

describe("inputs", () => {
  it("reports the inputs at start-up, then debounced changes: a change must hold for the debounce time", async () => {
    const { fake, line, clock, samples } = start();
    expect(samples).toMatchObject([{ tag: "HS-001", value: true, quality: { code: "good" } }]);
    // A 20 ms bounce is not a stop.
    fake.setInput(line("HS-001"), false);
    await clock.advance(20);
    fake.setInput(line("HS-001"), true);
    await clock.advance(100);
    expect(samples).toHaveLength(1);
    // A stop that holds is reported once it has held for 30 ms (read every 10 ms).
    fake.setInput(line("HS-001"), false);
    await clock.advance(29);
    expect(samples).toHaveLength(1);
    await clock.advance(11);
    expect(samples.at(-1)).toMatchObject({ tag: "HS-001", value: false, quality: { code: "good" } });
    expect(samples.at(-1)?.mono).toBeGreaterThanOrEqual(120 + 30);
    await clock.advance(500);
    expect(samples).toHaveLength(2);
  });

  it("a line that cannot be read is bad (once), and good again when it can", async () => {
    const { fake, line, clock, samples } = start();
    fake.failing.add(line("HS-001"));
    await clock.advance(50);
    expect(samples.slice(1)).toMatchObject([{ tag: "HS-001", value: null, quality: { code: "bad", reason: "device-failure" } }]);
    fake.failing.delete(line("HS-001"));
    await clock.advance(10);
    expect(samples.at(-1)).toMatchObject({ tag: "HS-001", value: true, quality: { code: "good" } });
  });

  it("the simulator sees every change of every line, with who made it", async () => {
    const { fake, line, gpio, changes } = start();
    await gpio.write("XY-501", true);
    fake.setInput(line("HS-001"), false);
    expect(changes.slice(-2)).toEqual([
      { line: line("XY-501"), high: true, direction: "out", by: "controller" },
      { line: line("HS-001"), high: false, direction: "in", by: "plant" },
    ]);
    expect(() => fake.setInput(line("XY-501"), true)).toThrow("GPIO 534 is an output of the controller");
  });
});

describe("GPIO this machine does not have", () => {
  it("with the onoff backend: refuses to start, naming every line, its kernel number and sysfs path", async () => {
    const cfg = config("onoff", 512);
    const backend = await createGpioBackend(cfg);
    expect(backend.kind).toBe("onoff");
    const gpio = new GpioField(cfg, new VirtualClock(), backend, { exitHandler: false });
    let err: unknown;
    try {
      gpio.start();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReclaimError);
    expect((err as ReclaimError).code).toBe(ERROR_CODES.GPIO_MISSING);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^the config asks for GPIO this machine does not have \(onoff backend\):\n/);
    expect(msg).toContain("HS-001 (in, line 17 = kernel GPIO 529 with gpio.lineBase 512): /sys/class/gpio/gpio529: ");
    expect(msg).toContain("XA-001 (out, line 24 = kernel GPIO 536 with gpio.lineBase 512): /sys/class/gpio/gpio536: ");
    expect(msg).toMatch(/set gpio\.backend: fake to run without GPIO$/);
  });

  it("the sysfs check, on a fake sysfs tree: no tree, not exported and no export file, exported", () => {
    const root = mkdtempSync(join(tmpdir(), "reclaim-sysfs-"));
    try {
      const sys = join(root, "class-gpio");
      expect(sysfsProblem(529, sys)).toMatch(/class-gpio does not exist: this machine has no sysfs GPIO/);
      mkdirSync(sys);
      expect(sysfsProblem(529, sys)).toMatch(/gpio529 is not exported and .*export is not writable .*check gpio\.lineBase/);
      writeFileSync(join(sys, "export"), "");
      expect(sysfsProblem(529, sys)).toBeNull();
      mkdirSync(join(sys, "gpio530"));
      expect(sysfsProblem(530, sys)).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("onoff's backend on a missing tree refuses each line with GpioLineMissing", async () => {
    const backend = await OnoffGpioBackend.create("/nonexistent/sys/class/gpio");
    expect(() => backend.open(529, "in", false)).toThrow(/^GPIO 529 \(\/nonexistent\/sys\/class\/gpio\/gpio529\): \/nonexistent\/sys\/class\/gpio does not exist/);
  });

  it("the fake backend never refuses", async () => {
    const backend = await createGpioBackend(config("fake"));
    expect(backend).toBeInstanceOf(FakeGpio);
  });
});
