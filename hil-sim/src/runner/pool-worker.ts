// A child process of the scenario pool (pool.ts): runs the files it is sent, one at a time,
// in virtual time, and sends back each result, or why the file could not run.
import { loadConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { ReclaimError } from "../../../src/system/errors.js";
import type { ParentMessage, PoolOutcome, WorkerMessage } from "./pool.js";
import { runScenario } from "./run.js";
import { loadScenarioFile } from "./scenario-file.js";
import { knownTargetsFor } from "./targets.js";

const configs = new Map<string, Config>();

async function run(file: string, configFile: string): Promise<PoolOutcome> {
  try {
    let config = configs.get(configFile);
    if (!config) {
      config = loadConfig(configFile).config;
      configs.set(configFile, config);
    }
    const { scenario, controller } = loadScenarioFile(file, knownTargetsFor(config));
    return { file, result: await runScenario(scenario, { mode: "virtual", config, controllerFaults: controller }) };
  } catch (err) {
    const e = err as Error;
    return { file, error: e.message, ...(err instanceof ReclaimError ? { code: err.code } : {}) };
  }
}

process.on("message", (m: ParentMessage) => {
  if (m.type === "exit") {
    process.disconnect();
    return;
  }
  void run(m.file, m.config).then((o) => process.send?.({ type: "done", ...o } satisfies WorkerMessage));
});
