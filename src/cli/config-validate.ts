// Validation for the config commands: an older `version:` is reported as a located problem
// that says to migrate (exit 3) rather than as a schema error; then the whole check (schema
// and semantics), every problem with file:line:column and key path, all at once.
import { readFileSync } from "node:fs";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { versionOf } from "../config/migrate.js";
import { CONFIG_VERSION } from "../config/schema.js";
import { locate, parseYaml } from "../config/yaml-locate.js";
import { ERROR_CODES, FileProblemsError, ReclaimError } from "../system/errors.js";

export function validateFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReclaimError(ERROR_CODES.CONFIG_UNREADABLE, `cannot read config ${file}: ${(err as Error).message}`, { cause: err });
  }
  const v = versionOf(text);
  if (v !== undefined && v < CONFIG_VERSION) {
    const at = locate(parseYaml(text, file), ["version"]);
    throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, [
      {
        file,
        ...at,
        path: "version",
        message: `this file is version ${v}; this reclaim reads version ${CONFIG_VERSION}: run 'reclaim config migrate ${file}' (it keeps a backup and lists what it changes)`,
      },
    ]);
  }
  return loadConfig(file);
}
