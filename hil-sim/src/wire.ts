// Points a controller config at a running simulator: each TCP line is aimed at the endpoint
// of the simulated device(s) on it. Used by `reclaim demo`, the scenario runner and tests.
import type { Config, LineConfig } from "../../src/config/schema.js";

export type Endpoints = Record<string, { host: string; port: number }>;

/**
 * Aims each line whose devices the simulator serves at their endpoint. An RTU line becomes a
 * TCP line to the simulator's serial gateway (same devices and unit ids), unless `keepRtu`.
 */
export function pointAtSim(config: Config, endpoints: Endpoints, opts: { keepRtu?: boolean } = {}): Config {
  const lines = config.lines.map((line): LineConfig => {
    if (line.type === "rtu" && opts.keepRtu) return line;
    const served = config.devices.filter((d) => d.line === line.name).map((d) => endpoints[d.name]);
    const first = served[0];
    if (!first || served.some((e) => !e || e.port !== first.port || e.host !== first.host)) return line;
    if (line.type === "tcp") return { ...line, host: first.host, port: first.port };
    return { name: line.name, type: "tcp", host: first.host, port: first.port, maxInFlight: 1, connectTimeout: 2000 };
  });
  return { ...config, lines };
}

/** The lines of a config with the devices (name, unit) on each: what Simulator.memoryTransports takes. */
export function linesWithDevices(config: Config): Array<{ name: string; devices: Array<{ name: string; unit: number }> }> {
  return config.lines.map((l) => ({ name: l.name, devices: config.devices.filter((d) => d.line === l.name).map((d) => ({ name: d.name, unit: d.unit })) }));
}
