// The scenario format as JSON Schema, for editors (yaml-language-server) and the drift check
// in hil-sim/tests/scenario/json-schema.test.ts. Generated from schema.ts, never edited by hand.
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { scenarioSchema } from "./schema.js";

export const SCENARIO_SCHEMA_FILE = fileURLToPath(new URL("../../scenario.schema.json", import.meta.url));

export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(scenarioSchema(), { io: "input", unrepresentable: "any" });
  return {
    $schema,
    $id: "https://reclaim.local/hil-sim/scenario.schema.json",
    title: "Reclaim hil-sim scenario",
    description: "A fault-injection scenario for the reference skid simulator (hil-sim/README.md).",
    ...rest,
  };
}

/** The file's exact text: stable key order, two-space indent, trailing newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
