// `reclaim run` (the controller) and `reclaim demo` (the simulated reference skid and the
// controller together, all on this machine).
import type { Command } from "commander";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.js";
import { startController } from "../main.js";
import { createLogger } from "../system/log.js";
import { stopOnSignals } from "../system/signals.js";
import { realClock } from "../time/real.js";
import { runDemo } from "./demo.js";
import { createNotifier } from "../system/notify.js";
import { firstPollCycle, WatchdogFeeder } from "../system/watchdog.js";
import { DEFAULT_CONFIG } from "./options.js";

export const REFERENCE_CONFIG = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

/**
 * The service: READY=1 to systemd once the config is loaded, the store open and the first
 * poll cycle has answered; WATCHDOG=1 only while the scan advances and the store is healthy;
 * STOPPING=1 on stop (see deploy/systemd/reclaim.service).
 */
async function runService(configFile: string): Promise<void> {
  const log = createLogger();
  const clock = realClock();
  const notifier = await createNotifier(log.child({ part: "systemd" }));
  const { config } = loadConfig(configFile);
  const running = await startController({ config, clock, log });
  const polled = config.tags.filter((t) => t.modbus !== undefined).map((t) => t.name);
  try {
    await firstPollCycle({
      scanned$: running.controller.scanned$,
      pending: () => polled.filter((n) => running.controller.state.tags[n]?.sourceQuality.reason === "not-yet-read"),
      clock,
      timeoutMs: 60_000,
    });
  } catch (err) {
    await running.stop();
    throw err;
  }
  const feeder = new WatchdogFeeder({
    notifier,
    scanned$: running.controller.scanned$,
    clock,
    log: log.child({ part: "watchdog" }),
    storeHealthy: () => running.storeHealthy(),
  });
  feeder.start();
  notifier.ready(`${config.skid.id}: scanning every ${config.skid.scanPeriod} ms`);
  log.info({ skid: config.skid.id, opcua: running.opcua?.endpointUrl }, "controller running");
  const statusSub = running.controller.status$.subscribe((s) => notifier.status(`${s.state}, quality ${s.qualityMode}`));
  await stopOnSignals(async () => {
    feeder.stop();
    statusSub.unsubscribe();
    notifier.stopping();
    await running.stop();
  }, log);
  process.exitCode = 0;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the controller with a config file (what the systemd service starts)")
    .option("--config <file>", "config file", DEFAULT_CONFIG)
    .action(async (opts: { config: string }) => {
      await runService(opts.config);
    });

  program
    .command("demo")
    .description("run the simulated reference skid and the controller together on this machine")
    .option("--config <file>", "controller config", REFERENCE_CONFIG)
    .option("--opcua-port <port>", "OPC UA port (default: the config's, 4840)", (v) => Number.parseInt(v, 10))
    .option("--status-every <seconds>", "seconds between status lines", (v) => Number.parseFloat(v), 5)
    .option("--data <dir>", "directory for the database, control socket and PKI", "data")
    .action(async (opts: { config: string; opcuaPort?: number; statusEvery: number; data: string }) => {
      await runDemo(opts);
    });
}
