// Evaluation of a compiled expression against the tag table, once per scan. The result
// carries a quality: the worst quality of the inputs actually used (a derived tag is as
// good as its worst input), or bad("config") when the arithmetic itself fails. A tree
// walk over plain data: no eval, no Function.
//
// `and`/`or`/`if` use only the inputs that decide the result: `LIT-101 < 10 or LSL-101`
// is true and good when LIT-101 is 5 with good quality, even if LSL-101 is bad, because
// LSL-101 cannot change the answer. Otherwise both sides count (Kleene three-valued logic
// for a value that is missing: unknown or true = true, unknown or false = unknown).
import { GOOD, type Quality, type TagValue, bad, worst } from "../quality.js";
import type { Compiled, ExprNode } from "./ast.js";

export type ExprValue = number | boolean | string | null;

export interface ExprResult {
  value: ExprValue;
  quality: Quality;
}

/** The current value of a tag, or undefined when there is no such tag. */
export type TagLookup = (tag: string) => { value: TagValue; quality: Quality } | undefined;

const fail = (detail: string): ExprResult => ({ value: null, quality: bad("config", detail) });

/** `r` with its quality worsened by `q`. */
const withQ = (r: ExprResult, q: Quality): ExprResult => ({ value: r.value, quality: worst(q, r.quality) });

function typeError(r: ExprResult, want: string, node: ExprNode): ExprResult {
  return withQ(fail(`${want} needed at column ${node.col}, got ${typeof r.value}`), r.quality);
}

/** The number in `r`, or a failed result explaining why there is none. */
function num(r: ExprResult, node: ExprNode): number | ExprResult {
  if (r.value === null) return r;
  return typeof r.value === "number" ? r.value : typeError(r, "a number", node);
}

function arith(op: string, a: number, b: number): number | ExprResult {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    default:
      return b === 0 ? fail("division by zero") : a / b;
  }
}

function finite(value: number, q: Quality): ExprResult {
  return Number.isFinite(value) ? { value, quality: q } : withQ(fail("result is not a finite number"), q);
}

function evalNode(node: ExprNode, lookup: TagLookup): ExprResult {
  switch (node.kind) {
    case "number":
    case "boolean":
    case "string":
      return { value: node.value, quality: GOOD };
    case "tag": {
      const s = lookup(node.name);
      if (s === undefined) return fail(`unknown tag '${node.name}'`);
      // A missing value is never good, whatever the source claims.
      if (s.value === null) return { value: null, quality: worst(s.quality, bad("not-yet-read", node.name)) };
      // Results are never mutated, so the lookup's own record can serve as one.
      return s;
    }
    case "neg": {
      const r = evalNode(node.arg, lookup);
      const a = num(r, node.arg);
      return typeof a === "number" ? { value: -a, quality: r.quality } : a;
    }
    case "not": {
      const r = evalNode(node.arg, lookup);
      if (r.value === null) return r;
      return typeof r.value === "boolean" ? { value: !r.value, quality: r.quality } : typeError(r, "a boolean", node.arg);
    }
    case "binary":
      return node.op === "and" || node.op === "or" ? logic(node, lookup) : binary(node, lookup);
    case "call":
      return call(node, lookup);
  }
}

function binary(node: ExprNode & { kind: "binary" }, lookup: TagLookup): ExprResult {
  const l = evalNode(node.left, lookup);
  const r = evalNode(node.right, lookup);
  const q = worst(l.quality, r.quality);
  if (l.value === null || r.value === null) return { value: null, quality: q };
  if (node.op === "==" || node.op === "!=") {
    if (typeof l.value !== typeof r.value) return withQ(fail(`'${node.op}' compares a ${typeof l.value} with a ${typeof r.value} at column ${node.col}`), q);
    return { value: (l.value === r.value) === (node.op === "=="), quality: q };
  }
  const a = num(l, node.left);
  if (typeof a !== "number") return withQ(a, q);
  const b = num(r, node.right);
  if (typeof b !== "number") return withQ(b, q);
  switch (node.op) {
    case "<":
      return { value: a < b, quality: q };
    case "<=":
      return { value: a <= b, quality: q };
    case ">":
      return { value: a > b, quality: q };
    case ">=":
      return { value: a >= b, quality: q };
    default: {
      const v = arith(node.op, a, b);
      return typeof v === "number" ? finite(v, q) : withQ(v, q);
    }
  }
}

/** The boolean in `r`, null when missing, or a failed result on a type error. */
function bool(r: ExprResult, node: ExprNode): boolean | null | ExprResult {
  if (r.value === null || typeof r.value === "boolean") return r.value;
  return typeError(r, "a boolean", node);
}

function logic(node: ExprNode & { kind: "binary" }, lookup: TagLookup): ExprResult {
  // The value that decides the result on its own: true for `or`, false for `and`.
  const decisive = node.op === "or";
  const l = evalNode(node.left, lookup);
  const a = bool(l, node.left);
  if (typeof a === "object" && a !== null) return a;
  if (a === decisive && l.quality.code === "good") return l;
  const r = evalNode(node.right, lookup);
  const b = bool(r, node.right);
  if (typeof b === "object" && b !== null) return withQ(b, l.quality);
  if (b === decisive && r.quality.code === "good") return r;
  const q = worst(l.quality, r.quality);
  if (a === decisive || b === decisive) return { value: decisive, quality: q };
  if (a === null || b === null) return { value: null, quality: q };
  return { value: !decisive, quality: q };
}

function call(node: ExprNode & { kind: "call" }, lookup: TagLookup): ExprResult {
  if (node.fn === "if") {
    const [c, t, e] = node.args as [ExprNode, ExprNode, ExprNode];
    const cond = evalNode(c, lookup);
    const b = bool(cond, c);
    if (typeof b === "object" && b !== null) return b;
    if (b === null) return cond;
    return withQ(evalNode(b ? t : e, lookup), cond.quality);
  }
  const args: number[] = [];
  let q: Quality = GOOD;
  let missing = false;
  for (const a of node.args) {
    const r = evalNode(a, lookup);
    q = worst(q, r.quality);
    const n = num(r, a);
    if (typeof n === "number") args.push(n);
    else if (n === r) missing = true; // a missing input, not a type error
    else return withQ(n, q);
  }
  if (missing) return { value: null, quality: q };
  switch (node.fn) {
    case "min":
      return { value: Math.min(...args), quality: q };
    case "max":
      return { value: Math.max(...args), quality: q };
    case "abs":
      return { value: Math.abs(args[0] as number), quality: q };
    case "clamp": {
      const [x, lo, hi] = args as [number, number, number];
      if (lo > hi) return withQ(fail(`clamp() low ${lo} is above high ${hi}`), q);
      return { value: Math.min(hi, Math.max(lo, x)), quality: q };
    }
  }
}

/** Evaluates a compiled expression; never throws. */
export function evaluate(compiled: Compiled, lookup: TagLookup): ExprResult {
  return evalNode(compiled.ast, lookup);
}
