// Loads the reference skid config once for tests.
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";

export const REFERENCE_CONFIG_PATH = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

let cached: Config | undefined;
export function referenceConfig(): Config {
  cached ??= loadConfig(REFERENCE_CONFIG_PATH).config;
  return structuredClone(cached);
}
