// `reclaim demo` (`npm start`): the simulated reference skid and the controller together on
// this machine, on real Modbus TCP sockets, with OPC UA and the control socket. Prints one
// line when ready (naming the OPC UA endpoint), then a status line every few seconds.
import path from "node:path";
import { loadConfig } from "../config/load.js";
import { startController } from "../main.js";
import { statusLine } from "../runtime/status.js";
import { createLogger } from "../system/log.js";
import { stopOnSignals } from "../system/signals.js";
import { realClock } from "../time/real.js";
import { Simulator } from "../../hil-sim/src/sim.js";
import { pointAtSim } from "../../hil-sim/src/wire.js";
import { GpioLink, usesGpio } from "../../hil-sim/src/runner/gpio-link.js";

export interface DemoOptions {
  config: string;
  opcuaPort?: number;
  statusEvery: number;
  data: string;
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const log = createLogger({ human: true, level: process.env.RECLAIM_LOG_LEVEL ?? "warn" });
  const clock = realClock();
  const loaded = loadConfig(opts.config).config;
  // The controller's GPIO is wired to the plant as on the skid: XY-501, WD-001, XA-001 out, HS-001 in.
  const wired = usesGpio(loaded);
  const sim = new Simulator({ clock, permissive: wired ? "gpio" : "hardwired" });
  const link = wired ? new GpioLink(loaded, sim, clock) : null;
  link?.start(50);
  sim.start();
  const endpoints = await sim.serveTcp();
  const config = pointAtSim(
    {
      ...loaded,
      opcua: { ...loaded.opcua, ...(opts.opcuaPort !== undefined ? { port: opts.opcuaPort } : {}) },
      store: { ...loaded.store, path: path.join(opts.data, "reclaim.sqlite") },
      control: { socket: path.join(opts.data, "reclaim.sock") },
    },
    endpoints,
  );
  const running = await startController({ config, clock, log, clockSynced: true, ...(link ? { gpio: link.backend } : {}) });
  // One entry per port: the RS-485 devices share the simulated serial gateway's.
  const byPort = new Map<string, string[]>();
  for (const [n, e] of Object.entries(endpoints)) byPort.set(`${e.host}:${e.port}`, [...(byPort.get(`${e.host}:${e.port}`) ?? []), n]);
  const devices = [...byPort].map(([addr, names]) => `${names.join("+")} ${addr}`).join(", ");
  process.stdout.write(
    `Reclaim demo ready: skid ${config.skid.id}, OPC UA ${running.opcua?.endpointUrl ?? "off"}, ` +
      `simulated devices ${devices}, control socket ${config.control.socket}. Ctrl-C stops.\n`,
  );
  const timer = setInterval(() => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${statusLine(config, running.status())}\n`), opts.statusEvery * 1000);
  await stopOnSignals(async () => {
    clearInterval(timer);
    await running.stop();
    link?.stop();
    await sim.stop();
  }, log).done;
  process.stdout.write("Reclaim demo stopped.\n");
  process.exitCode = 0;
}
