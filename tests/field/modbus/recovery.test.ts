// Recovery in process, on real sockets: the engine against the simulator's TCP server, which
// is killed and started again on the same port, and a device that goes silent and comes back.
// The engine reconnects with back-off, reports bad no-comm meanwhile, and is good again after.
import { afterEach, describe, expect, it } from "vitest";
import { startTcpSlave, type TcpSlaveServer } from "../../../hil-sim/src/modbus/tcp-server.js";
import type { TagSample } from "../../../src/core/quality.js";
import { ModbusSerialTransport } from "../../../src/field/modbus/client.js";
import { ModbusEngine } from "../../../src/field/modbus/engine.js";
import { planBlocks, planPoll } from "../../../src/field/modbus/planner.js";
import { realClock } from "../../../src/time/real.js";
import { fieldConfig, hr } from "../helpers/config.js";
import { bankDevice } from "../helpers/servers.js";

const clock = realClock();
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function waitFor(what: string, cond: () => boolean, limitMs = 5000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup() {
  const dev = bankDevice("d1", 1);
  dev.bank.set("holding", 0, 42);
  let server: TcpSlaveServer = await startTcpSlave({ devices: [dev], clock });
  const port = server.port;
  cleanup.push(() => server.close());
  const config = fieldConfig({
    lines: [{ name: "tcp-1", type: "tcp", port, connectTimeout: "200ms" }],
    devices: [{ name: "d1", line: "tcp-1", unit: 1, timeout: "100ms", retries: 0, demoteAfter: 2, demotionPeriod: "300ms" }],
    tags: [hr("V", "d1", 0, { poll: "100ms" })],
  });
  const line = config.lines[0];
  if (!line) throw new Error("no line");
  const transports = new Map([["tcp-1", new ModbusSerialTransport(line, clock)]]);
  const engine = new ModbusEngine(config, clock, transports, planBlocks(planPoll(config)), { line: { minBackoffMs: 50, maxBackoffMs: 200 } });
  cleanup.push(() => engine.stop());
  const samples: TagSample[] = [];
  engine.samples$.subscribe((s) => samples.push(...s));
  const last = () => samples.at(-1);
  const status = () => engine.health()[0]?.status;
  engine.start();
  return {
    dev,
    engine,
    samples,
    last,
    status,
    kill: () => server.close(),
    restart: async () => {
      server = await startTcpSlave({ devices: [dev], clock, port });
    },
  };
}

describe("recovery", () => {
  it("reconnects with back-off after the server is killed, and is good again when it returns", async () => {
    const s = await setup();
    await waitFor("a good value", () => s.last()?.value === 42 && s.status() === "online");
    await s.kill();
    await waitFor("the device offline", () => s.status() === "offline");
    expect(s.last()).toMatchObject({ tag: "V", value: null, quality: { code: "bad", reason: "no-comm" } });
    const line = s.engine.lineQueues()[0];
    const attempts = line?.stats.reconnects ?? 0;
    await new Promise((r) => setTimeout(r, 600));
    // Still trying, in process, with back-off (not one attempt per poll: at most one per 50..200 ms).
    const during = (line?.stats.reconnects ?? 0) - attempts;
    expect(during).toBeGreaterThanOrEqual(1);
    expect(during).toBeLessThanOrEqual(12);
    s.dev.bank.set("holding", 0, 43);
    await s.restart();
    await waitFor("good values after the restart", () => s.last()?.value === 43 && s.last()?.quality.code === "good" && s.status() === "online");
  });

  it("a device that goes silent is demoted, probed, and back online when it answers", async () => {
    const s = await setup();
    await waitFor("a good value", () => s.status() === "online");
    s.dev.setFaults({ offline: true });
    await waitFor("the device offline", () => s.status() === "offline");
    expect(s.engine.health()[0]?.lastError).toMatch(/^d1 unit 1 FC03 HR 0: no answer in 100 ms \(attempt 1 of 1\)$/);
    s.dev.setFaults({});
    await waitFor("back online", () => s.status() === "online" && s.last()?.quality.code === "good");
  });
});
