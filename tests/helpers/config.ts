// Loads the reference skid config once for tests.
import { fileURLToPath } from "node:url";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { FileProblemsError } from "../../src/system/errors.js";

export const REFERENCE_CONFIG_PATH = fileURLToPath(new URL("../../config/reference-skid.yaml", import.meta.url));

let cached: Config | undefined;
export function referenceConfig(): Config {
  cached ??= loadConfig(REFERENCE_CONFIG_PATH).config;
  return structuredClone(cached);
}

/** The FileProblemsError that parseConfig throws for `text`; fails the test if it accepts it. */
export function configProblems(text: string, file = "bad.yaml"): FileProblemsError {
  try {
    parseConfig(text, file);
  } catch (err) {
    if (err instanceof FileProblemsError) return err;
    throw err;
  }
  throw new Error("config was accepted");
}
