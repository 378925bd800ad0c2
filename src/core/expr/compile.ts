// Compiling expressions at load (parse + check, never at scan time) and ordering derived
// tags so that each is computed after the derived tags it reads, or naming the cycle.
import type { Compiled, ExprError, ExprType, KnownTags } from "./ast.js";
import { check } from "./check.js";
import { parse } from "./parser.js";

function knownMap(known: KnownTags): ReadonlyMap<string, ExprType> {
  if (known instanceof Map) return known;
  return new Map([...(known as Iterable<string>)].map((n): [string, ExprType] => [n, "any"]));
}

/**
 * Parses and checks `text` against the known tags. Returns the compiled expression, or
 * every problem found (an array), each message ending "at column N".
 */
export function compile(text: string, knownTags: KnownTags): Compiled | ExprError[] {
  const parsed = parse(text);
  if ("error" in parsed) return [parsed.error];
  const { type, deps, errors } = check(parsed.ast, knownMap(knownTags));
  if (errors.length > 0) return errors.sort((a, b) => a.col - b.col);
  return { text, ast: parsed.ast, deps, type };
}

/** Formats compile errors for a person, quoting the expression. */
export function formatExprErrors(text: string, errors: readonly ExprError[]): string {
  return errors.map((e) => `${e.message}: ${text}`).join("\n");
}

export interface DerivedDef {
  name: string;
  expr: { deps: readonly string[] };
}

export type DerivedOrder = { ok: true; order: string[] } | { ok: false; cycle: string[]; message: string };

/**
 * Orders derived tags so each comes after every derived tag it depends on (dependencies
 * on measured tags are ignored). Stable: independent tags keep their config order. A
 * cycle is an error naming it: "derived tags form a cycle: A → B → A".
 */
export function orderDerived(defs: readonly DerivedDef[]): DerivedOrder {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const done = new Set<string>();
  const order: string[] = [];
  const path: string[] = [];

  // Depth-first; `path` holds the chain being visited, so meeting a name on it is a cycle.
  const visit = (name: string): string[] | undefined => {
    if (done.has(name)) return undefined;
    const at = path.indexOf(name);
    if (at >= 0) return [...path.slice(at), name];
    const def = byName.get(name);
    if (!def) return undefined;
    path.push(name);
    for (const dep of def.expr.deps) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(name);
    order.push(name);
    return undefined;
  };

  for (const d of defs) {
    const cycle = visit(d.name);
    if (cycle) return { ok: false, cycle, message: `derived tags form a cycle: ${cycle.join(" → ")}` };
  }
  return { ok: true, order };
}
