// config/production-template.yaml: valid, secure by default, with real device paths, and
// otherwise the reference skid itself, line for line, so that it never drifts from the
// model it copies. When the reference changes, regenerate it:
//   node --import tsx tests/opcua/render-production-template.ts
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { REFERENCE_PATH, TEMPLATE_PATH, renderProductionTemplate } from "./render-production-template.js";

describe("production template", () => {
  it("is the reference skid with production settings (regenerate it when this fails)", () => {
    expect(readFileSync(TEMPLATE_PATH, "utf8")).toBe(renderProductionTemplate(readFileSync(REFERENCE_PATH, "utf8")));
  });

  const prod = loadConfig(TEMPLATE_PATH).config;

  it("validates, and is secure by default: no SecurityPolicy None, no anonymous sessions, a users file", () => {
    expect(prod.opcua).toMatchObject({ enabled: true, allowInsecure: false, allowAnonymous: false, usersFile: "/etc/reclaim/users.yaml" });
  });

  it("runs on the gateway's hardware and paths, not the simulator's", () => {
    expect(prod.gpio.backend).toBe("onoff");
    expect(prod.store.path).toBe("/var/lib/reclaim/reclaim.sqlite");
    expect(prod.control.socket).toBe("/run/reclaim/reclaim.sock");
    for (const l of prod.lines) {
      if (l.type === "tcp") expect(l.host).not.toMatch(/^(127\.|localhost$)/);
      else expect(l.path).toMatch(/^\/dev\//);
    }
  });

  it("differs from the reference in opcua, store, control, gpio and line addresses only", () => {
    const ref = loadConfig(REFERENCE_PATH).config as Record<string, unknown>;
    const same = (c: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(c).filter(([k]) => !["opcua", "store", "control", "gpio", "lines"].includes(k)));
    expect(same(prod as Record<string, unknown>)).toEqual(same(ref));
    const shape = (c: Record<string, unknown>) => (c.lines as Array<Record<string, unknown>>).map(({ host: _h, port: _p, ...rest }) => rest);
    expect(shape(prod as Record<string, unknown>)).toEqual(shape(ref));
  });
});
