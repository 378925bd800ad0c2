// Small field configs for tests: lines, devices and tags, with the rest of the config stubbed.
import { configSchema, type Config, type ConfigInput } from "../../../src/config/schema.js";

export type LineInput = NonNullable<ConfigInput["lines"]>[number];
export type DeviceInput = NonNullable<ConfigInput["devices"]>[number];
export type TagInput = ConfigInput["tags"][number];

export function fieldConfig(parts: { lines: LineInput[]; devices: DeviceInput[]; tags: TagInput[]; gpio?: ConfigInput["gpio"] }): Config {
  return configSchema.parse({
    version: 1,
    skid: { id: "T" },
    ...(parts.gpio ? { gpio: parts.gpio } : {}),
    lines: parts.lines,
    devices: parts.devices,
    tags: parts.tags,
    quality: { valve: "X", designFlow: 30, ccps: [{ name: "C", tag: "X", alert: { high: 1 }, critical: { high: 2 }, delay: "10s", transportVolume: 1 }] },
  });
}

/** A holding-register tag of device `device` at `address` (uint16 unless `more` says otherwise). */
export function hr(name: string, device: string, address: number, more: Record<string, unknown> = {}): TagInput {
  return { name, modbus: { device, table: "holding", address, poll: "1s", ...more } };
}

export function ir(name: string, device: string, address: number, more: Record<string, unknown> = {}): TagInput {
  return { name, modbus: { device, table: "input", address, poll: "1s", ...more } };
}

export function coil(name: string, device: string, address: number, more: Record<string, unknown> = {}): TagInput {
  return { name, kind: "bool", modbus: { device, table: "coil", address, type: "bool", poll: "1s", ...more } };
}
