// The Modbus engine on virtual time against a scripted RS-485 line, for the engine tests:
// every sample and health report it emits is collected; stopEngines() in afterEach.
import type { Config } from "../../../src/config/schema.js";
import type { TagSample } from "../../../src/core/quality.js";
import { ModbusEngine } from "../../../src/field/modbus/engine.js";
import type { DeviceHealth } from "../../../src/field/modbus/health.js";
import { planBlocks, planPoll } from "../../../src/field/modbus/planner.js";
import type { ModbusRequest } from "../../../src/field/modbus/transport.js";
import { VirtualClock } from "../../../src/time/virtual.js";
import { ScriptedTransport, zeros, type Reply } from "./scripted-transport.js";

export const LINE = { name: "rs485-1", type: "rtu", path: "/dev/null", baud: 19200 } as const;
export const device = (name: string, unit: number) => ({ name, line: "rs485-1", unit, timeout: "100ms", retries: 1, demoteAfter: 3, demotionPeriod: "1s" });

export interface EngineRun {
  clock: VirtualClock;
  t: ScriptedTransport;
  engine: ModbusEngine;
  samples: TagSample[];
  health: DeviceHealth[];
  last(tag: string): TagSample | undefined;
}

const running: ModbusEngine[] = [];

/** Starts an engine for `config` on the scripted line "rs485-1". */
export function startEngine(config: Config, script: (req: ModbusRequest, n: number) => Reply = zeros): EngineRun {
  const clock = new VirtualClock();
  const t = new ScriptedTransport("rs485-1", clock, script);
  const engine = new ModbusEngine(config, clock, new Map([["rs485-1", t]]), planBlocks(planPoll(config)));
  running.push(engine);
  const samples: TagSample[] = [];
  const health: DeviceHealth[] = [];
  engine.samples$.subscribe((s) => samples.push(...s));
  engine.health$.subscribe((h) => health.push(h));
  engine.start();
  return { clock, t, engine, samples, health, last: (tag) => samples.filter((s) => s.tag === tag).at(-1) };
}

/** Stops every engine started since the last call (afterEach). */
export async function stopEngines(): Promise<void> {
  for (const e of running.splice(0)) await e.stop();
}
