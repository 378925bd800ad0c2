// Field throughput on loopback: registers a second the field layer (line queue + modbus-serial
// transport) reads from the simulator's Modbus TCP server, back to back in 125-register
// requests, from 1 device, and from 20 devices on 20 connections at once; and the same with
// the analyzer's realistic 8 ms response time. Run alone: node --import tsx tests/bench/field-throughput.bench.ts
import { pathToFileURL } from "node:url";
import { analyzerDevice } from "../../hil-sim/src/devices/analyzer.js";
import { ProcessImage } from "../../hil-sim/src/devices/image.js";
import { RegisterBank, type SlaveDevice } from "../../hil-sim/src/modbus/slave.js";
import { startTcpSlave } from "../../hil-sim/src/modbus/tcp-server.js";
import { tcpLineSchema } from "../../src/config/schema.js";
import { ModbusSerialTransport } from "../../src/field/modbus/client.js";
import { LineQueue } from "../../src/field/modbus/line.js";
import type { ModbusRequest } from "../../src/field/modbus/transport.js";
import { realClock } from "../../src/time/real.js";
import type { Bench, BenchFigure } from "./types.js";

const RUN_MS = 2000;
const clock = realClock();

/** A device that answers at once: the figure is the field layer's, not a device's. */
function fastDevice(unit: number): SlaveDevice {
  const bank = new RegisterBank();
  bank.define("holding", 0, 125, 1234);
  return {
    name: `dev-${unit}`,
    unit,
    responseDelayMs: 0,
    maxRegisters: 125,
    maxBits: 2000,
    readBits: () => [],
    readRegisters: (table, address, count) => bank.read(table, address, count),
    writeBits: () => undefined,
    writeRegisters: () => undefined,
    faults: () => ({}),
  };
}

/** Reads `req` back to back on every line for RUN_MS; returns registers read a second (all lines). */
async function measure(port: number, lines: number, req: (unit: number) => ModbusRequest): Promise<{ regsPerS: number; reqPerS: number; errors: number }> {
  const queues = Array.from({ length: lines }, (_, i) => {
    const line = tcpLineSchema.parse({ name: `tcp-${i + 1}`, type: "tcp", port });
    return new LineQueue(line, new ModbusSerialTransport(line, clock), clock);
  });
  let regs = 0;
  let requests = 0;
  let errors = 0;
  const loop = async (q: LineQueue, unit: number, until: number): Promise<void> => {
    while (performance.now() < until) {
      const r = req(unit);
      try {
        const res = await q.request(r, 1000, "read");
        regs += res.registers?.length ?? 0;
        requests++;
      } catch {
        errors++;
      }
    }
  };
  // Warm-up: connect, and let the JIT see the path.
  await Promise.all(queues.map((q, i) => loop(q, i + 1, performance.now() + 200)));
  regs = requests = errors = 0;
  const t0 = performance.now();
  await Promise.all(queues.map((q, i) => loop(q, i + 1, t0 + RUN_MS)));
  const s = (performance.now() - t0) / 1000;
  await Promise.all(queues.map((q) => q.close()));
  return { regsPerS: regs / s, reqPerS: requests / s, errors };
}

function round(x: number): number {
  return Math.round(x);
}

export const bench: Bench = {
  area: "field",
  async run(): Promise<BenchFigure[]> {
    const out: BenchFigure[] = [];
    const fast = await startTcpSlave({ devices: Array.from({ length: 20 }, (_, i) => fastDevice(i + 1)), clock });
    try {
      const block = (unit: number): ModbusRequest => ({ fc: 3, unit, address: 0, count: 125 });
      const one = await measure(fast.port, 1, block);
      const twenty = await measure(fast.port, 20, block);
      // A skid-sized need: 20 devices × 125 registers every 100 ms is 25 000 registers a second.
      out.push(
        { name: "TCP loopback, 1 device: registers/s (FC03 × 125)", value: round(one.regsPerS), unit: "reg/s", goal: ">= 10000", met: one.regsPerS >= 10_000 },
        { name: "TCP loopback, 1 device: requests/s", value: round(one.reqPerS), unit: "req/s" },
        { name: "TCP loopback, 20 devices on 20 connections: registers/s", value: round(twenty.regsPerS), unit: "reg/s", goal: ">= 25000", met: twenty.regsPerS >= 25_000 },
        { name: "TCP loopback, 20 devices on 20 connections: requests/s", value: round(twenty.reqPerS), unit: "req/s" },
        { name: "TCP loopback: failed requests", value: one.errors + twenty.errors, unit: "", goal: "= 0", met: one.errors + twenty.errors === 0 },
      );
    } finally {
      await fast.close();
    }
    // The reference analyzer answers in 8 ms: what one poll line to it can carry.
    const analyzer = await startTcpSlave({ devices: [analyzerDevice(new ProcessImage())], clock });
    try {
      const a = await measure(analyzer.port, 1, (unit) => ({ fc: 4, unit, address: 0, count: 63 }));
      out.push({ name: "TCP loopback, analyzer-1 (8 ms response), IR 0..62: registers/s", value: round(a.regsPerS), unit: "reg/s" });
    } finally {
      await analyzer.close();
    }
    return out;
  },
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await bench.run()) {
    const goal = f.goal === undefined ? "" : `   goal ${f.goal}: ${f.met ? "met" : "NOT met"}`;
    console.log(`${f.name.padEnd(72)} ${String(f.value).padStart(10)} ${f.unit}${goal}`);
  }
}
