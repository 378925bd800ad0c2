// A dead device on a shared RTU line: the reference skid's RS-485 line (2 drives, 4
// flowmeters, 19200 8E1, every 500 ms) run by the real engine over a pty pair against the
// simulator's RTU slave with the line's timing simulated. One flowmeter goes silent; the poll
// rate of the five healthy devices is measured before, during the 6 s after (demotion
// included), and once it is demoted. Goal: they keep >= 90 % of their rate.
// Run alone: node --import tsx tests/bench/field-rtu-dead.bench.ts (needs socat)
import { fileURLToPath, pathToFileURL } from "node:url";
import { driveDevice } from "../../hil-sim/src/devices/drive.js";
import { flowmeterDevice } from "../../hil-sim/src/devices/flowmeter.js";
import { ProcessImage } from "../../hil-sim/src/devices/image.js";
import { openPtyPair, socatAvailable } from "../../hil-sim/src/modbus/rtu-pty.js";
import { startRtuSlave } from "../../hil-sim/src/modbus/rtu-server.js";
import type { DeviceFaults } from "../../hil-sim/src/modbus/slave.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { ModbusSerialTransport } from "../../src/field/modbus/client.js";
import { ModbusEngine } from "../../src/field/modbus/engine.js";
import { planBlocks, planPoll } from "../../src/field/modbus/planner.js";
import { realClock } from "../../src/time/real.js";
import type { Bench, BenchFigure } from "./types.js";

const REFERENCE = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));
const PHASE_MS = 6000;
const LINE = "rs485-1";
const DEAD = "flow-302";
/** One tag per device, decoded once per poll cycle of its device. */
const MARKERS: Record<string, string> = {
  "vfd-p101": "P-101-SPEED",
  "vfd-p301": "P-301-SPEED",
  "flow-201": "FIT-201",
  "flow-301": "FIT-301",
  "flow-302": "FIT-302",
  "flow-501": "FIT-501",
};

function rs485Only(config: Config, path: string): Config {
  const c = structuredClone(config);
  const line = c.lines.find((l) => l.name === LINE);
  if (line?.type !== "rtu") throw new Error(`the reference skid has no RTU line ${LINE}`);
  line.path = path;
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const bench: Bench = {
  area: "field",
  async run(): Promise<BenchFigure[]> {
    if (!socatAvailable()) {
      console.warn("field-rtu-dead: SKIPPED, socat is not installed (apt-get install socat)");
      return [];
    }
    const clock = realClock();
    const pty = await openPtyPair();
    const image = new ProcessImage();
    const faults = new Map<string, DeviceFaults>();
    const faultsOf = (name: string) => faults.get(name) ?? {};
    for (const tag of ["FIT-201", "FIT-301", "FIT-302", "FIT-501"]) image.analog.set(tag, 20);
    const slave = await startRtuSlave({
      path: pty.device,
      clock,
      baud: 19200,
      parity: "even",
      devices: [
        driveDevice(image, { name: "vfd-p101", unit: 1, faults: faultsOf }),
        driveDevice(image, { name: "vfd-p301", unit: 2, faults: faultsOf }),
        ...["flow-201", "flow-301", "flow-302", "flow-501"].map((name, i) => flowmeterDevice(image, { name, unit: 3 + i, tag: `FIT-${name.slice(5)}`, faults: faultsOf })),
      ],
    });
    const config = rs485Only(loadConfig(REFERENCE).config, pty.controller);
    const line = config.lines.find((l) => l.name === LINE);
    if (!line) throw new Error("no line");
    const blocks = planBlocks(planPoll(config)).filter((b) => b.line === LINE);
    const engine = new ModbusEngine(config, clock, new Map([[LINE, new ModbusSerialTransport(line, clock)]]), blocks);
    const cycles = new Map<string, number>(Object.keys(MARKERS).map((d) => [d, 0]));
    const byMarker = new Map(Object.entries(MARKERS).map(([d, t]) => [t, d]));
    engine.samples$.subscribe((samples) => {
      for (const s of samples) {
        const d = byMarker.get(s.tag);
        if (d && s.quality.code === "good") cycles.set(d, (cycles.get(d) ?? 0) + 1);
      }
    });
    const healthyRate = async (ms: number): Promise<number> => {
      const before = new Map(cycles);
      await sleep(ms);
      const healthy = Object.keys(MARKERS).filter((d) => d !== DEAD);
      const n = healthy.reduce((sum, d) => sum + (cycles.get(d) ?? 0) - (before.get(d) ?? 0), 0);
      return n / healthy.length / (ms / 1000);
    };
    try {
      engine.start();
      await sleep(1000); // first cycles, connection
      const before = await healthyRate(PHASE_MS);
      faults.set(DEAD, { offline: true });
      const during = await healthyRate(PHASE_MS);
      const demoted = engine.health().find((h) => h.device === DEAD)?.status === "offline";
      const after = await healthyRate(PHASE_MS);
      const stats = engine.lineQueues()[0]?.stats;
      const pct = (x: number) => Math.round((x / before) * 1000) / 10;
      return [
        { name: `${LINE}: healthy devices' poll rate before ${DEAD} fails (2 = every 500 ms)`, value: Math.round(before * 100) / 100, unit: "cycles/s" },
        { name: `${LINE}: healthy rate in the ${PHASE_MS / 1000} s after the failure (demotion included)`, value: pct(during), unit: "% of before", goal: ">= 90", met: pct(during) >= 90 },
        { name: `${LINE}: healthy rate once ${DEAD} is demoted`, value: pct(after), unit: "% of before", goal: ">= 90", met: pct(after) >= 90 },
        { name: `${DEAD} demoted (offline) within ${PHASE_MS / 1000} s`, value: demoted ? 1 : 0, unit: "yes=1", goal: "= 1", met: demoted },
        { name: `${LINE}: requests sent / failed in all`, value: stats?.requests ?? 0, unit: `req (${stats?.failures ?? 0} failed)` },
        { name: `${LINE}: poll cycles skipped (previous cycle still running)`, value: engine.overruns, unit: "cycles" },
      ];
    } finally {
      await engine.stop();
      await slave.close();
      await pty.close();
    }
  },
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await bench.run()) {
    const goal = f.goal === undefined ? "" : `   goal ${f.goal}${f.met === undefined ? "" : `: ${f.met ? "met" : "NOT met"}`}`;
    console.log(`${f.name.padEnd(72)} ${String(f.value).padStart(10)} ${f.unit}${goal}`);
  }
}
