// `npm run sim`: the simulated reference skid alone, in real time, serving every device over
// Modbus TCP on loopback at fixed ports (those of config/reference-skid.yaml), and the RS-485
// line's drives and flowmeters also on a pseudo-terminal with --rtu. For a controller on
// another machine or under test by hand: it has no GPIO link to the plant, so the reuse
// permissive is "hardwired" closed and there is no watchdog relay.
import type { Clock } from "../../../src/time/clock.js";
import { Simulator } from "../sim.js";
import type { FaultEvent, PlantParams } from "../model/index.js";
import type { SlaveDevice } from "../modbus/slave.js";

export interface ServeOptions {
  clock: Clock;
  /** analyzer-1 on portBase, rio-1 on portBase + 1, the RS-485 gateway on portBase + 2. */
  portBase: number;
  host?: string;
  seed?: number;
  params?: Partial<PlantParams>;
  faults?: readonly FaultEvent[];
  /** Also serve the RS-485 devices on a pty pair (needs socat). */
  rtu?: boolean;
}

export interface ServedSim {
  sim: Simulator;
  /** One line per endpoint, for the person who started it. */
  describe(): string[];
  stop(): Promise<void>;
}

const RTU_DEVICES = ["vfd-p101", "vfd-p301", "flow-201", "flow-301", "flow-302", "flow-501"];

export async function serveSim(opts: ServeOptions): Promise<ServedSim> {
  const sim = new Simulator({
    clock: opts.clock,
    permissive: "hardwired",
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.params ? { params: opts.params } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
  });
  sim.start();
  const stops: Array<() => Promise<void>> = [() => sim.stop()];
  const lines: string[] = [];
  try {
    const base = opts.portBase;
    const endpoints = await sim.serveTcp({ host: opts.host ?? "127.0.0.1", ports: { "analyzer-1": base, "rio-1": base + 1, "rs485-gateway": base + 2 } });
    // One line per port: the RS-485 gateway serves several devices, told apart by unit id.
    const byPort = new Map<string, string[]>();
    for (const [name, e] of Object.entries(endpoints)) byPort.set(`${e.host}:${e.port}`, [...(byPort.get(`${e.host}:${e.port}`) ?? []), name]);
    for (const [at, names] of byPort) {
      const units = names.length > 1 ? ` (RS-485 gateway; units ${names.map((n) => `${n}=${sim.devices[n]?.unit ?? "?"}`).join(", ")})` : "";
      lines.push(`Modbus TCP ${at}  ${names.join(", ")}${units}`);
    }
    if (opts.rtu) {
      // Loaded only when asked for: it needs serialport and socat, which a TCP-only run does not.
      const { openPtyPair, socatAvailable } = await import("../modbus/rtu-pty.js");
      const { startRtuSlave } = await import("../modbus/rtu-server.js");
      if (!socatAvailable()) throw new Error("--rtu needs socat on PATH (apt-get install socat)");
      const pty = await openPtyPair();
      stops.unshift(() => pty.close());
      const devices = RTU_DEVICES.map((d) => sim.devices[d]).filter((d): d is SlaveDevice => d !== undefined);
      const rtu = await startRtuSlave({ path: pty.device, devices, clock: opts.clock });
      stops.unshift(() => rtu.close());
      lines.push(`Modbus RTU ${pty.controller}  19200 8E1, units ${devices.map((d) => `${d.name}=${d.unit}`).join(", ")}`);
    }
  } catch (err) {
    for (const s of stops) await s();
    throw err;
  }
  return {
    sim,
    describe: () => lines,
    async stop() {
      for (const s of stops) await s();
    },
  };
}

/** One line on the plant's state, for a person watching the simulator. */
export function plantLine(sim: Simulator): string {
  const m = (tag: string, digits = 1): string => sim.plant.measure(tag).toFixed(digits);
  const valve = sim.plant.measure("ZSO-501") ? "reuse" : sim.plant.measure("ZSC-501") ? "divert" : "moving";
  const l = sim.plant.ledger.report();
  return (
    `t=${Math.round(sim.nowMs / 1000)}s EQ ${m("LIT-101")}% break ${m("LIT-202")}% reuse ${m("LIT-601")}% ` +
    `product ${m("FIT-501")} m³/h turbidity ${m("AIT-403", 3)} NTU XV-501 ${valve}; ` +
    `${l.reuseM3.toFixed(2)} m³ reused, ${l.divertedM3.toFixed(2)} m³ diverted, ${l.offSpecToReuseL.toFixed(0)} L off-spec to reuse`
  );
}
