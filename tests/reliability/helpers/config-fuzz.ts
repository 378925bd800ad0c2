// Mutated copies of config/reference-skid.yaml for the config fuzz test: structural mutations
// on the parsed YAML (a key deleted, a value of the wrong type, an unknown key) and textual
// ones on the result (garbage spliced in, the file cut short, a line duplicated or shifted),
// as fast-check arbitraries, and the verdict parseConfig gives on each.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { parseConfig } from "../../../src/config/load.js";
import { ERROR_CODES, FileProblemsError } from "../../../src/system/errors.js";
import { REFERENCE_CONFIG_PATH } from "../../helpers/config.js";
import type { KnownConfigBug } from "./known-bugs.js";

/** Config-loader bugs the verdict tells apart from new failures (known-bugs.ts). */
// K3 (aliases escaping the loader) is fixed; nothing is excused any more.
const KNOWN_CONFIG_BUGS: readonly KnownConfigBug[] = [];

export const REFERENCE_TEXT = readFileSync(REFERENCE_CONFIG_PATH, "utf8");

type Path = Array<string | number>;

interface NodeRef {
  path: Path;
  kind: "map" | "seq" | "scalar";
}

/** Every node of the reference document with its key path. */
function collect(node: Node | null, path: Path, out: NodeRef[]): void {
  if (isMap(node)) {
    out.push({ path, kind: "map" });
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key === "string" || typeof key === "number") collect(pair.value as Node | null, [...path, key], out);
    }
  } else if (isSeq(node)) {
    out.push({ path, kind: "seq" });
    node.items.forEach((item, i) => collect(item as Node | null, [...path, i], out));
  } else out.push({ path, kind: "scalar" });
}

const NODES: readonly NodeRef[] = (() => {
  const out: NodeRef[] = [];
  collect(parseDocument(REFERENCE_TEXT).contents, [], out);
  return out.filter((n) => n.path.length > 0);
})();
const MAPS: readonly NodeRef[] = [{ path: [], kind: "map" }, ...NODES.filter((n) => n.kind === "map")];

export type Mutation =
  | { op: "delete"; path: Path }
  | { op: "set"; path: Path; value: unknown }
  | { op: "unknown-key"; path: Path; key: string; value: unknown }
  | { op: "splice"; at: number; text: string }
  | { op: "truncate"; at: number }
  | { op: "duplicate-line"; line: number }
  | { op: "indent"; line: number; by: number }
  | { op: "alias"; line: number };

/** Values of every wrong type, and the classic YAML traps. */
const WRONG_VALUE: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("10", "10 s", "-5s", "1e309", "NaN", ".inf", "yes", "no", "~", "0x1F", "2026-01-01", "1h2x", "9999999999999d", "", "\u0000"),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

/** Text that YAML treats specially, and plain noise. */
const GARBAGE: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.constantFrom(": ", "- ", "{", "}", "[", "]", "&a ", "*a", "*undefined", "!!binary ", "!!python/object ", "%YAML 1.1\n", "---\n", "...\n", "\t", "? ", "|\n", ">-\n", '"', "'", "#", "<<: *x\n", "\r", "\ufeff"),
);

export const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...NODES).map((n): Mutation => ({ op: "delete", path: n.path })),
  fc.tuple(fc.constantFrom(...NODES), WRONG_VALUE).map(([n, value]): Mutation => ({ op: "set", path: n.path, value })),
  fc.tuple(fc.constantFrom(...MAPS), fc.string({ minLength: 1, maxLength: 8 }), WRONG_VALUE).map(([n, key, value]): Mutation => ({ op: "unknown-key", path: n.path, key: `x${key}`, value })),
  fc.tuple(fc.nat({ max: REFERENCE_TEXT.length }), GARBAGE).map(([at, text]): Mutation => ({ op: "splice", at, text })),
  fc.nat({ max: REFERENCE_TEXT.length }).map((at): Mutation => ({ op: "truncate", at })),
  fc.nat({ max: 400 }).map((line): Mutation => ({ op: "duplicate-line", line })),
  fc.tuple(fc.nat({ max: 400 }), fc.integer({ min: -4, max: 4 })).map(([line, by]): Mutation => ({ op: "indent", line, by })),
  // A value replaced by an alias to an anchor nobody defined (a typo in an anchor's name).
  fc.nat({ max: 400 }).map((line): Mutation => ({ op: "alias", line })),
);

function structural(doc: Document, m: Mutation): void {
  switch (m.op) {
    case "delete":
      doc.deleteIn(m.path);
      return;
    case "set":
      doc.setIn(m.path, m.value);
      return;
    case "unknown-key":
      if (m.path.length === 0) doc.set(m.key, m.value);
      else doc.setIn([...m.path, m.key], m.value);
      return;
    default:
      return;
  }
}

function textual(text: string, m: Mutation): string {
  switch (m.op) {
    case "splice": {
      const at = Math.min(m.at, text.length);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "truncate":
      return text.slice(0, Math.min(m.at, text.length));
    case "duplicate-line": {
      const lines = text.split("\n");
      const i = m.line % lines.length;
      lines.splice(i, 0, lines[i] ?? "");
      return lines.join("\n");
    }
    case "indent": {
      const lines = text.split("\n");
      const i = m.line % lines.length;
      const l = lines[i] ?? "";
      lines[i] = m.by >= 0 ? " ".repeat(m.by) + l : l.replace(new RegExp(`^ {0,${-m.by}}`), "");
      return lines.join("\n");
    }
    case "alias": {
      const lines = text.split("\n");
      const candidates = lines.flatMap((l, i) => (/^\s*[\w-]+: \S/.test(l) ? [i] : []));
      const i = candidates[m.line % Math.max(1, candidates.length)];
      if (i === undefined) return text;
      lines[i] = (lines[i] ?? "").replace(/: .*$/, ": *nope");
      return lines.join("\n");
    }
    default:
      return text;
  }
}

/** The reference text with the mutations applied: structural ones first, then textual ones. */
export function mutate(mutations: readonly Mutation[]): string {
  const doc = parseDocument(REFERENCE_TEXT);
  for (const m of mutations) {
    try {
      structural(doc, m);
    } catch {
      // A path the previous mutations removed: nothing to do (yaml throws on setIn through a scalar).
    }
  }
  let text = doc.toString();
  for (const m of mutations) text = textual(text, m);
  return text;
}

export type Verdict =
  | { kind: "accepted" }
  | { kind: "rejected"; problems: number; message: string }
  | { kind: "known"; bug: string; error: string }
  | { kind: "wrong-error"; error: string }
  | { kind: "unlocated"; problem: string };

/** What parseConfig does with a text: accept it, or reject it with every problem located in `file`. */
export function verdict(text: string, file: string): Verdict {
  try {
    parseConfig(text, file);
    return { kind: "accepted" };
  } catch (err) {
    const known = KNOWN_CONFIG_BUGS.find((b) => b.matches(err));
    if (known) return { kind: "known", bug: known.id, error: (err as Error).message };
    if (!(err instanceof FileProblemsError) || err.code !== ERROR_CODES.CONFIG_INVALID) {
      return { kind: "wrong-error", error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ""}` : String(err) };
    }
    const lines = text.split("\n").length;
    const bad = err.problems.find((p) => p.file !== file || !Number.isInteger(p.line) || p.line < 1 || p.line > lines + 1 || !Number.isInteger(p.column) || p.column < 1);
    if (bad || err.problems.length === 0) return { kind: "unlocated", problem: JSON.stringify(bad ?? "no problems listed") };
    if (!err.message.includes(`${file}:${err.problems[0]?.line}:`)) return { kind: "unlocated", problem: `message without file:line: ${err.message.slice(0, 200)}` };
    return { kind: "rejected", problems: err.problems.length, message: err.message };
  }
}

export const MUTATIONS: fc.Arbitrary<Mutation[]> = fc.array(MUTATION, { minLength: 1, maxLength: 3 });
