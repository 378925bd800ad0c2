import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from "../../src/scenario/json-schema.js";

describe("hil-sim/scenario.schema.json", () => {
  it("is what the zod schema generates (regenerate: node --import tsx hil-sim/src/scenario/write-json-schema.ts)", () => {
    expect(readFileSync(SCENARIO_SCHEMA_FILE, "utf8")).toBe(scenarioJsonSchemaText());
  });

  it("describes the format for editors: required keys, no unknown keys, fault names", () => {
    const s = JSON.parse(scenarioJsonSchemaText()) as {
      required: string[];
      additionalProperties: boolean;
      properties: { events: { items: { properties: { fault: { enum: string[] } } } } };
    };
    expect(s.required).toEqual(["name", "duration"]);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.events.items.properties.fault.enum).toContain("feed-turbidity");
  });
});
