// Reads and validates a config file: YAML syntax, then the schema, then the semantic
// checks. Every problem is reported at once, each with file:line:column and key path.
import { readFileSync, statSync } from "node:fs";
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

/**
 * Bounds on a config file, checked before the work that grows with it. config.apply and
 * validate parse on the controller's event loop, so a hostile or broken file must not stall
 * the scan (known bug K4). The reference skid's file is 20 KiB and 2,100 YAML nodes; yaml
 * parses about 150 nodes per ms here, so 256 KiB (at most ~130,000 nodes, under 1 s even as
 * `[1,1,1,…]`) leaves a plant ten times the reference room while 1 MiB could take ~4 s.
 */
export const CONFIG_LIMITS = { maxBytes: 256 * 1024, maxNodes: 50_000 } as const;

function tooBig(file: string, what: string): FileProblemsError {
  return new FileProblemsError(ERROR_CODES.CONFIG_INVALID, [{ file, line: 1, column: 1, path: "", message: what }]);
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

function sizeProblem(file: string, bytes: number): FileProblemsError | undefined {
  if (bytes <= CONFIG_LIMITS.maxBytes) return undefined;
  return tooBig(file, `the file is ${kib(bytes)}, over the limit of ${kib(CONFIG_LIMITS.maxBytes)} for a config file (not parsed)`);
}

/** Validates config text; throws FileProblemsError naming every problem. */
export function parseConfig(text: string, file: string): Config {
  const { y, config } = parseConfigSchema(text, file);
  const semantic = semanticProblems(config).map((s) => locatedProblem(y, s.path, s.message));
  if (semantic.length > 0) throw new FileProblemsError(ERROR_CODES.CONFIG_INVALID, semantic);
  return config;
}

/**
 * The file's bounds, YAML syntax, aliases and schema, without the semantic checks: for the
 * CLI commands that must read a config even when it does not make a skid (to show or migrate it).
 */
export function parseConfigSchema(text: string, file: string): { y: LocatedYaml; config: Config } {
  const size = sizeProblem(file, Buffer.byteLength(text, "utf8"));
  if (size) throw size;
  const y = parseYaml(text, file);
  if (y.nodes > CONFIG_LIMITS.maxNodes) {
    throw tooBig(file, `the file has ${y.nodes} YAML nodes, over the limit of ${CONFIG_LIMITS.maxNodes} for a config file`);
  }
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
  return { y, config: result.data };
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
    // Refuse an oversized file before reading it into memory.
    const size = sizeProblem(file, statSync(file).size);
    if (size) throw size;
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof FileProblemsError) throw err;
    throw new ReclaimError(ERROR_CODES.CONFIG_UNREADABLE, `cannot read config ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { config: parseConfig(text, file), file, text };
}
