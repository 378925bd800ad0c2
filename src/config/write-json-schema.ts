// Writes config/reclaim.schema.json from the schema module (`npm run schema`); CI checks
// that the committed file is current (tests/config/json-schema.test.ts).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "./schema.js";

export const JSON_SCHEMA_PATH = fileURLToPath(new URL("../../config/reclaim.schema.json", import.meta.url));

export function renderJsonSchema(): string {
  return `${JSON.stringify({ title: "Reclaim skid configuration", ...configJsonSchema() }, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
  process.stdout.write(`wrote ${JSON_SCHEMA_PATH}\n`);
}
