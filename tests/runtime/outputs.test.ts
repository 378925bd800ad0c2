// The output writer: a write on every change of intent, a retry after a failed write, and a
// periodic re-write of unchanged values (the tag's `refresh`, 10 s unless configured), so a
// device that dropped its outputs gets them back.
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { parseYaml } from "../../src/config/yaml-locate.js";
import { FieldOutputWriter } from "../../src/runtime/outputs.js";
import { createLogger } from "../../src/system/log.js";

const CONFIG = `
version: 1
skid: { id: T }
lines: [{ name: tcp-1, type: tcp, host: 127.0.0.1, port: 502 }]
devices: [{ name: rio, line: tcp-1, unit: 1 }]
tags:
  - { name: XV, kind: bool, modbus: { device: rio, table: coil, address: 0, type: bool, writable: true } }
  - { name: PUMP, kind: bool, modbus: { device: rio, table: coil, address: 1, type: bool, writable: true, refresh: 2s } }
  - { name: AI, modbus: { device: rio, table: input, address: 0 } }
quality: { valve: XV, designFlow: 30, ccps: [{ name: CCP-1, tag: AI, alert: { high: 0.5 }, critical: { high: 1 }, delay: 10s, transportVolume: 1 }] }
`;

function rig(fail = false) {
  const writes: Array<[string, number | boolean]> = [];
  // The schema alone (with its defaults), not the whole loader: this is not a whole skid.
  const config = configSchema.parse(parseYaml(CONFIG, "t.yaml").doc.toJS());
  const w = new FieldOutputWriter(config, createLogger({ level: "silent" }), {
    modbus: (tag, value) => {
      writes.push([tag, value]);
      return fail ? Promise.reject(new Error("no answer")) : Promise.resolve();
    },
  });
  return { w, writes };
}

describe("FieldOutputWriter", () => {
  it("writes on change, re-writes an unchanged value after its refresh (10 s by default)", async () => {
    const { w, writes } = rig();
    for (let t = 0; t <= 10_000; t += 100) {
      w.apply({ XV: true, PUMP: false }, t);
      await w.settle();
    }
    const at = (tag: string) => writes.filter(([n]) => n === tag).length;
    // XV: at 0 and again at 10 s; PUMP: at 0, 2, 4, 6, 8 and 10 s.
    expect(at("XV")).toBe(2);
    expect(at("PUMP")).toBe(6);
    w.apply({ XV: false, PUMP: false }, 10_100);
    await w.settle();
    expect(writes.at(-1)).toEqual(["XV", false]);
  });

  it("retries a failed write on the next apply", async () => {
    const { w, writes } = rig(true);
    w.apply({ XV: true }, 0);
    await w.settle();
    w.apply({ XV: true }, 100);
    await w.settle();
    expect(writes).toEqual([
      ["XV", true],
      ["XV", true],
    ]);
  });
});
