// Points a controller config at a running simulator: each TCP line is aimed at the endpoint
// of the simulated device(s) on it. Used by `reclaim demo`, the scenario runner and tests.
import type { Config } from "../../src/config/schema.js";

export type Endpoints = Record<string, { host: string; port: number }>;

export function pointAtSim(config: Config, endpoints: Endpoints): Config {
  const lines = config.lines.map((line) => {
    if (line.type !== "tcp") return line;
    const served = config.devices.filter((d) => d.line === line.name).map((d) => endpoints[d.name]);
    const first = served[0];
    if (!first || served.some((e) => !e || e.port !== first.port || e.host !== first.host)) return line;
    return { ...line, host: first.host, port: first.port };
  });
  return { ...config, lines };
}

/** The lines of a config with the devices (name, unit) on each: what Simulator.memoryTransports takes. */
export function linesWithDevices(config: Config): Array<{ name: string; devices: Array<{ name: string; unit: number }> }> {
  return config.lines.map((l) => ({ name: l.name, devices: config.devices.filter((d) => d.line === l.name).map((d) => ({ name: d.name, unit: d.unit })) }));
}
