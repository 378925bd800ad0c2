// Parses YAML keeping positions, and turns schema issues into file:line:column problems.
// Shared by the controller config and the simulator's scenario files.
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import type { z } from "zod";
import type { Problem } from "../system/errors.js";

export interface LocatedYaml {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Problems of YAML syntax itself (the document is unusable when there are any). */
  syntax: Problem[];
  /** How many YAML nodes (scalars, maps, sequences, aliases) the document has, for callers that bound it. */
  nodes: number;
}

export function parseYaml(text: string, file: string): LocatedYaml {
  const lines = new LineCounter();
  // uniqueKeys: false because yaml's own check compares each key with every earlier key of its
  // mapping, O(n²): 20,000 keys took seconds on the controller's event loop (known bug K4).
  // walk() finds the same duplicates in one pass instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const syntax = doc.errors.map((e): Problem => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, path: "", message: e.message.split("\n")[0] ?? e.message };
  });
  const { duplicates, nodes } = walk(doc, lines, file);
  // Stable sort: yaml's own errors keep their order, duplicates fall in where they are in the file.
  const all = duplicates.length > 0 ? [...syntax, ...duplicates].sort((a, b) => a.line - b.line || a.column - b.column) : syntax;
  return { file, doc, lines, syntax: all, nodes };
}

/**
 * The key a scalar becomes in the plain object that doc.toJS() builds (yaml's stringifyKey):
 * `1` and `"1"`, or `~` and `null`, land on the same property, so the later one would silently
 * win; they count as duplicates here. Other keys (collections, aliases, dates) are not compared,
 * as yaml's own uniqueKeys check did not compare them either.
 */
function objectKey(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  if (v === null || v === undefined) return "";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

/** A key as written, shortened for a message. */
function sourceOf(key: unknown): string {
  const s = isScalar(key) ? (key.source ?? String(key.value)) : "";
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * One pass over the document: duplicate keys of each mapping (a Set per mapping, so linear),
 * reported at the later key with yaml's own message, and the node count. Iterative, so deep
 * nesting cannot overflow the stack.
 */
function walk(doc: Document.Parsed, lines: LineCounter, file: string): { duplicates: Problem[]; nodes: number } {
  const duplicates: Problem[] = [];
  let nodes = 0;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.key, node.value);
      continue;
    }
    if (!isNode(node)) continue;
    nodes++;
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        stack.push(pair.key, pair.value);
        const k = objectKey(pair.key);
        if (k === undefined) continue;
        const first = seen.get(k);
        if (!first) {
          seen.set(k, pair.key as Node);
          continue;
        }
        const pos = lines.linePos((pair.key as Node).range?.[0] ?? 0);
        const was = lines.linePos(first.range?.[0] ?? 0);
        const [now, then] = [sourceOf(pair.key), sourceOf(first)];
        const what = now === then ? `"${now}" is already at line` : `"${now}" is the same key as "${then}" at line`;
        duplicates.push({ file, line: pos.line, column: pos.col, path: "", message: `Map keys must be unique: ${what} ${was.line}:${was.col}` });
      }
    }
  }
  return { duplicates, nodes };
}

type PathKey = string | number;

/**
 * Each mapping's pairs by key value (the first pair of each key, as a linear find would give),
 * built on first use and kept for one batch of look-ups: locating 20,000 unknown keys one
 * linear search at a time was quadratic (known bug K4).
 */
type KeyIndex = WeakMap<YAMLMap, Map<unknown, Pair>>;

function pairOf(map: YAMLMap, key: PathKey, index: KeyIndex | undefined): Pair | undefined {
  if (!index) return map.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
  let byKey = index.get(map);
  if (!byKey) {
    byKey = new Map();
    for (const p of map.items) {
      const v = (p.key as { value?: unknown } | null)?.value;
      if (!byKey.has(v)) byKey.set(v, p);
    }
    index.set(map, byKey);
  }
  return byKey.get(key);
}

/** The YAML node at a key path, or the nearest existing ancestor. */
function nodeAt(doc: Document.Parsed, path: readonly PathKey[], index?: KeyIndex): { node: Node | null; keyNode: Node | null; depth: number } {
  let node: Node | null = doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = pairOf(node, key, index);
      if (!pair) break;
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      keyNode = null;
      node = item;
    } else break;
    depth++;
  }
  return { node, keyNode, depth };
}

export function formatPath(path: readonly PathKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), "");
}

/** Locates a key path in the document: line and column of the value (or of the key for unknown keys). */
export function locate(y: LocatedYaml, path: readonly PathKey[], preferKey = false, index?: KeyIndex): { line: number; column: number } {
  const { node, keyNode } = nodeAt(y.doc, path, index);
  const target = preferKey && keyNode ? keyNode : (node ?? keyNode);
  const offset = target?.range?.[0] ?? 0;
  const pos = y.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Every schema issue as a located problem; unknown keys point at the key itself. */
export function schemaProblems(y: LocatedYaml, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  const index: KeyIndex = new WeakMap();
  for (const issue of issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const full = [...path, key];
        out.push({ file: y.file, ...locate(y, full, true, index), path: formatPath(full), message: `unknown key "${key}"` });
      }
      continue;
    }
    const { depth } = nodeAt(y.doc, path, index);
    const missing = depth < path.length;
    const message = missing ? `missing: ${issue.message}` : issue.message;
    out.push({ file: y.file, ...locate(y, path, false, index), path: formatPath(path), message });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
