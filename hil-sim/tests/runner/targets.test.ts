// What a scenario may target against a config: what the plant can fault and the controller
// can see; anything else is rejected by the parser with its line.
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { FileProblemsError } from "../../../src/system/errors.js";
import { parseScenarioFile } from "../../src/runner/scenario-file.js";
import { knownTargetsFor } from "../../src/runner/targets.js";

// A controller that polls the analyzer and one drive only.
const config = configSchema.parse({
  version: 1,
  skid: { id: "T" },
  lines: [{ name: "tcp", type: "tcp" }],
  devices: [
    { name: "analyzer-1", line: "tcp", unit: 1 },
    { name: "vfd-p301", line: "tcp", unit: 2 },
  ],
  tags: [
    { name: "AIT-403", modbus: { device: "analyzer-1", table: "input", address: 50, type: "float32" } },
    { name: "XV-501", kind: "bool", modbus: { device: "analyzer-1", table: "coil", address: 3, type: "bool", writable: true } },
  ],
  quality: { valve: "XV-501", designFlow: 30, ccps: [{ name: "CCP-1", tag: "AIT-403", alert: { high: 0.2 }, critical: { high: 0.5 }, delay: "10s", transportVolume: 1 }] },
});

describe("knownTargetsFor", () => {
  it("keeps the plant's targets that the config also has", () => {
    const k = knownTargetsFor(config);
    expect(k.devices).toEqual(["vfd-p301", "analyzer-1"]);
    expect(k.drives).toEqual(["vfd-p301"]);
    expect(k.tags).toContain("AIT-403");
    // A drive's readings are faulted by the plant's names while the drive is configured.
    expect(k.tags).toContain("vfd-p301.speed");
    expect(k.tags).not.toContain("vfd-p101.speed");
    expect(k.tags).not.toContain("AIT-402");
    expect(k.currentLoopTags).toEqual([]);
  });

  it("makes the parser reject, with its line, a fault the controller could not see", () => {
    const text = `name: t\nduration: 5m\nevents:\n  - { at: 1m, fault: offline, device: rio-1 }\n  - { at: 1m, fault: drive-trip, device: vfd-p101 }\n`;
    let err: unknown;
    try {
      parseScenarioFile(text, "t.yaml", knownTargetsFor(config));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileProblemsError);
    expect((err as Error).message).toMatch(/^t\.yaml:4:\d+: events\[0\]\.device: unknown device "rio-1"$/m);
    expect((err as Error).message).toMatch(/^t\.yaml:5:\d+: events\[1\]\.device: unknown drive \(one of vfd-p301\) "vfd-p101"$/m);
  });
});
