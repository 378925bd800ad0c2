// Writes hil-sim/scenario.schema.json from the zod schema:
//   node --import tsx hil-sim/src/scenario/write-json-schema.ts
import { writeFileSync } from "node:fs";
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from "./json-schema.js";

writeFileSync(SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText());
process.stdout.write(`wrote ${SCENARIO_SCHEMA_FILE}\n`);
