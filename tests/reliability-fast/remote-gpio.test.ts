// The pieces the SIGKILL test stands on: the remote GPIO backend (src/field/gpio/remote.ts)
// against the simulator's GPIO server (hil-sim/src/gpio-server.ts), through GpioField as the
// controller uses it; and rio-1's fieldbus watchdog (hil-sim/src/devices/rio.ts).
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGpioBackend, GpioField, gpioLineOf } from "../../src/field/gpio/field.js";
import { FakeGpio } from "../../src/field/gpio/fake.js";
import { RemoteGpioBackend } from "../../src/field/gpio/remote.js";
import type { TagSample } from "../../src/core/quality.js";
import { ERROR_CODES, ReclaimError } from "../../src/system/errors.js";
import { VirtualClock } from "../../src/time/virtual.js";
import { rioDevice } from "../../hil-sim/src/devices/rio.js";
import { ProcessImage } from "../../hil-sim/src/devices/image.js";
import { GpioServer, gpioLinesOf } from "../../hil-sim/src/gpio-server.js";
import { referenceConfig } from "../helpers/config.js";

const config = referenceConfig();
const HS = gpioLineOf(config, "HS-001");
const XY = gpioLineOf(config, "XY-501");
const WD = gpioLineOf(config, "WD-001");

const until = async (pred: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("remote GPIO backend and the simulator's GPIO server", () => {
  let dir: string;
  let socket: string;
  let plant: FakeGpio;
  let server: GpioServer | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "reclaim-rgpio-"));
    socket = path.join(dir, "gpio.sock");
    plant = new FakeGpio();
    plant.setInput(HS, true);
    server = await GpioServer.listen({ backend: plant, path: socket, lines: gpioLinesOf(config) });
  });

  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is what gpio.backend: remote creates; GpioField opens every line, outputs at their safe level, HS-001 as the plant has it", async () => {
    const backend = await createGpioBackend({ ...config, gpio: { backend: "remote", socket, lineBase: 0 } });
    expect(backend.kind).toBe("remote");
    const field = new GpioField(config, new VirtualClock(), backend, { exitHandler: false });
    const samples: TagSample[] = [];
    field.samples$.subscribe((s) => samples.push(...s));
    plant.changes$.subscribe(() => undefined);
    field.start();
    expect(samples.find((s) => s.tag === "HS-001")).toMatchObject({ value: true, quality: { code: "good" } });
    await until(() => plant.isOpen(XY) && plant.isOpen(WD));
    expect(plant.level(XY)).toBe(false);
    await field.write("XY-501", true);
    await until(() => plant.level(XY) === true);
    field.stop();
    // Every line closed: the backend lets its connection go (an in-process restart opens a fresh one).
    await until(() => server?.clients === 0);
  });

  it("pushes the plant's input changes; a killed client leaves its outputs where they were (sysfs semantics)", async () => {
    const backend = await RemoteGpioBackend.create(socket);
    const hs = backend.open(HS, "in", false);
    const xy = backend.open(XY, "out", false);
    xy.write(true);
    await until(() => plant.level(XY) === true);
    plant.setInput(HS, false);
    await until(() => hs.read() === false);
    // The process dies without closing anything: the server sees the socket drop.
    (backend as unknown as { socket: net.Socket }).socket.destroy();
    await until(() => server?.clients === 0);
    expect(plant.level(XY)).toBe(true);
    backend.close();
  });

  it("while the server is away: inputs read as failures (Bad, not a silent false), writes fail, then it reconnects with the levels it holds", async () => {
    const backend = await RemoteGpioBackend.create(socket, { reconnectMs: { first: 20, max: 100 } });
    const hs = backend.open(HS, "in", false);
    const xy = backend.open(XY, "out", false);
    xy.write(true);
    await until(() => plant.level(XY) === true);
    await server?.close();
    await until(() => !backend.connected);
    expect(() => hs.read()).toThrow(/not connected/);
    expect(() => xy.write(false)).toThrow(/not connected/);
    // A new plant behind a new server: the backend comes back to it and re-opens its lines.
    plant = new FakeGpio();
    plant.setInput(HS, true);
    server = await GpioServer.listen({ backend: plant, path: socket, lines: gpioLinesOf(config) });
    await until(() => backend.connected, 3000);
    await until(() => plant.isOpen(XY) && plant.level(XY) === true);
    expect(hs.read()).toBe(true);
    expect(backend.disconnects).toBe(1);
    backend.close();
  });

  it("without a server, or for a line the server does not offer: GPIO_MISSING at start-up, naming the socket", async () => {
    const none = await createGpioBackend({ ...config, gpio: { backend: "remote", socket: path.join(dir, "nobody.sock"), lineBase: 0 } });
    const field = new GpioField(config, new VirtualClock(), none, { exitHandler: false });
    const err = (() => {
      try {
        field.start();
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ReclaimError);
    expect((err as ReclaimError).code).toBe(ERROR_CODES.GPIO_MISSING);
    expect((err as Error).message).toContain("nobody.sock");
    const backend = await RemoteGpioBackend.create(socket);
    expect(() => backend.open(999, "out", false)).toThrow(/has no line 999/);
    backend.close();
  });

  it("the server survives garbage and a client that opens an input as an output", async () => {
    const raw = net.connect(socket);
    await new Promise((r) => raw.once("connect", r));
    raw.write("not json\n{\"t\":\"write\",\"line\":22}\n" + JSON.stringify({ t: "open", line: HS, dir: "out", high: true }) + "\n" + "x".repeat(70_000));
    await until(() => (server?.stats.garbage ?? 0) >= 3);
    raw.destroy();
    expect(plant.level(HS)).toBe(true);
    const backend = await RemoteGpioBackend.create(socket);
    expect(backend.open(HS, "in", false).read()).toBe(true);
    backend.close();
  });
});

describe("rio-1's fieldbus watchdog", () => {
  it("armed by the first request; without requests for its timeout every coil de-energizes until written again", async () => {
    const clock = new VirtualClock();
    const image = new ProcessImage();
    image.coils.set("XV-501", true);
    const rio = rioDevice(image, { watchdog: { clock, timeoutMs: 1000 } });
    // Not armed yet: a plant nobody polls keeps its outputs.
    await clock.advance(5000);
    expect(image.coils.get("XV-501")).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    for (let i = 0; i < 20; i++) {
      rio.readBits("discrete", 0, 5);
      await clock.advance(200);
    }
    expect(rio.watchdog?.trips).toBe(0);
    expect(image.coils.get("XV-501")).toBe(true);
    await clock.advance(1000);
    expect(rio.watchdog?.trips).toBe(1);
    expect(["P-202", "P-401", "XV-203", "XV-501"].map((c) => image.coils.get(c))).toEqual([false, false, false, false]);
    // A read re-arms it but does not re-energize anything; the controller's next write does.
    rio.readBits("coil", 0, 4);
    expect(image.coils.get("XV-501")).toBe(false);
    rio.writeBits(3, [true]);
    expect(image.coils.get("XV-501")).toBe(true);
    rio.watchdog?.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("is off by default", () => {
    expect(rioDevice(new ProcessImage()).watchdog).toBeNull();
  });
});
