// Parses YAML keeping positions, and turns schema issues into file:line:column problems.
// Shared by the controller config and the simulator's scenario files.
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { Problem } from "../system/errors.js";

export interface LocatedYaml {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Problems of YAML syntax itself (the document is unusable when there are any). */
  syntax: Problem[];
}

export function parseYaml(text: string, file: string): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors.map((e): Problem => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, path: "", message: e.message.split("\n")[0] ?? e.message };
  });
  return { file, doc, lines, syntax };
}

type PathKey = string | number;

/** The YAML node at a key path, or the nearest existing ancestor. */
function nodeAt(doc: Document.Parsed, path: readonly PathKey[]): { node: Node | null; keyNode: Node | null; depth: number } {
  let node: Node | null = doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
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
export function locate(y: LocatedYaml, path: readonly PathKey[], preferKey = false): { line: number; column: number } {
  const { node, keyNode } = nodeAt(y.doc, path);
  const target = preferKey && keyNode ? keyNode : (node ?? keyNode);
  const offset = target?.range?.[0] ?? 0;
  const pos = y.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Every schema issue as a located problem; unknown keys point at the key itself. */
export function schemaProblems(y: LocatedYaml, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const full = [...path, key];
        out.push({ file: y.file, ...locate(y, full, true), path: formatPath(full), message: `unknown key "${key}"` });
      }
      continue;
    }
    const { depth } = nodeAt(y.doc, path);
    const missing = depth < path.length;
    const message = missing ? `missing: ${issue.message}` : issue.message;
    out.push({ file: y.file, ...locate(y, path), path: formatPath(path), message });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
