// The JSON Schema for editors is generated from the one schema module and committed; this
// fails when someone changed the schema and forgot `npm run schema`.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { JSON_SCHEMA_PATH, renderJsonSchema } from "../../src/config/write-json-schema.js";

it("config/reclaim.schema.json is current (run `npm run schema`)", () => {
  expect(readFileSync(JSON_SCHEMA_PATH, "utf8")).toBe(renderJsonSchema());
});
