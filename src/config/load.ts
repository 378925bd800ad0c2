// Reads and validates a config file: YAML syntax, then the schema, then the semantic
// checks. Every problem is reported at once, each with file:line:column and key path.
import { readFileSync } from "node:fs";
import { visit } from "yaml";
import { ERROR_CODES, FileProblemsError, ReclaimError, type Problem } from "../system/errors.js";
import { configSchema, type Config } from "./schema.js";
import { semanticProblems } from "./semantic.js";
import { locate, parseYaml, schemaProblems, type LocatedYaml } from "./yaml-locate.js";

export interface LoadedConfig {
  config: Config;
  file: string;
  text: string;
}

/** Validates config text; throws FileProblemsError naming every problem. */
export function parseConfig(text: string, file: string): Config {
  const y = parseYaml(text, file);
  if (y.syntax.length > 0) throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, y.syntax);
  const aliases = unresolvedAliases(y);
  if (aliases.length > 0) throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, aliases);
  let data: unknown;
  try {
    // Aliases are resolved here: an alias to a missing anchor, or an alias bomb, throws.
    data = y.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, [{ file, line: 1, column: 1, path: "", message: `cannot resolve the YAML: ${(err as Error).message}` }]);
  }
  const result = configSchema.safeParse(data);
  if (!result.success) throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, schemaProblems(y, result.error.issues));
  const semantic = semanticProblems(result.data).map((s) => locatedProblem(y, s.path, s.message));
  if (semantic.length > 0) throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, semantic);
  return result.data;
}

/** Aliases (`*name`) whose anchor (`&name`) does not exist, each at its line. */
function unresolvedAliases(y: LocatedYaml): Problem[] {
  const out: Problem[] = [];
  visit(y.doc, {
    Alias(_key, node) {
      if (node.resolve(y.doc) !== undefined) return;
      const pos = y.lines.linePos(node.range?.[0] ?? 0);
      out.push({ file: y.file, line: pos.line, column: pos.col, path: "", message: `alias *${node.source} has no anchor &${node.source}` });
    },
  });
  return out;
}

function locatedProblem(y: LocatedYaml, path: (string | number)[], message: string): Problem {
  const p = path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), "");
  return { file: y.file, ...locate(y, path), path: p, message };
}

export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ReclaimError(ERROR_CODES.CONFIG_UNREADABLE, `cannot read config ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { config: parseConfig(text, file), file, text };
}
