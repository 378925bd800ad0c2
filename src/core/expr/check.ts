// Static checks of a parsed expression, done once at load: every tag it names exists,
// every operator gets operands of the right type, every function the right arguments.
// All problems are reported together, each with its column.
import type { ExprError, ExprNode, ExprType, FunctionName } from "./ast.js";

export interface CheckResult {
  type: ExprType;
  deps: string[];
  errors: ExprError[];
}

const ARITY: Record<FunctionName, { min: number; max: number; usage: string }> = {
  min: { min: 1, max: Infinity, usage: "min(a, b, ...)" },
  max: { min: 1, max: Infinity, usage: "max(a, b, ...)" },
  abs: { min: 1, max: 1, usage: "abs(x)" },
  clamp: { min: 3, max: 3, usage: "clamp(x, low, high)" },
  if: { min: 3, max: 3, usage: "if(condition, then, else)" },
};

/** Levenshtein distance, small inputs only (tag names). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** A hint for an unknown name: an upper-case keyword, a subtraction written without spaces, or a near miss. */
function hint(name: string, known: ReadonlyMap<string, ExprType>): string {
  const lower = name.toLowerCase();
  if (["and", "or", "not", "true", "false"].includes(lower)) return `; keywords are lower case: '${lower}'`;
  for (let i = name.indexOf("-"); i > 0; i = name.indexOf("-", i + 1)) {
    const head = name.slice(0, i);
    if (known.has(head))
      return `; to subtract, put spaces around '-': '${head} - ${name.slice(i + 1)}'`;
  }
  let best: string | undefined;
  let bestD = 3;
  for (const k of known.keys()) {
    const d = distance(name.toUpperCase(), k.toUpperCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best === undefined ? "" : `; did you mean '${best}'?`;
}

const what = (node: ExprNode): string => {
  switch (node.kind) {
    case "tag":
      return `'${node.name}'`;
    case "number":
    case "boolean":
      return String(node.value);
    case "string":
      return `"${node.value}"`;
    case "neg":
    case "not":
    case "binary":
    case "call":
      return `the operand at column ${node.col}`;
  }
};

export function check(ast: ExprNode, known: ReadonlyMap<string, ExprType>): CheckResult {
  const errors: ExprError[] = [];
  const deps: string[] = [];
  const report = (message: string, col: number): void => {
    errors.push({ message: `${message} at column ${col}`, col });
  };
  /** Checks that `node` has type `want`; "any" passes and is checked at run time. */
  const expect = (node: ExprNode, want: ExprType, context: string): void => {
    const got = typeOf(node);
    if (got !== "any" && want !== "any" && got !== want) report(`${context} needs a ${want}, but ${what(node)} is a ${got}`, node.col);
  };

  function typeOf(node: ExprNode): ExprType {
    switch (node.kind) {
      case "number":
      case "boolean":
      case "string":
        return node.kind;
      case "tag": {
        const t = known.get(node.name);
        if (t === undefined) {
          report(`unknown tag '${node.name}'${hint(node.name, known)}`, node.col);
          return "any";
        }
        if (!deps.includes(node.name)) deps.push(node.name);
        return t;
      }
      case "neg":
        expect(node.arg, "number", "unary '-'");
        return "number";
      case "not":
        expect(node.arg, "boolean", "'not'");
        return "boolean";
      case "binary":
        return binaryType(node);
      case "call":
        return callType(node);
    }
  }

  function binaryType(node: ExprNode & { kind: "binary" }): ExprType {
    switch (node.op) {
      case "+":
      case "-":
      case "*":
      case "/":
        expect(node.left, "number", `'${node.op}'`);
        expect(node.right, "number", `'${node.op}'`);
        return "number";
      case "<":
      case "<=":
      case ">":
      case ">=":
        expect(node.left, "number", `'${node.op}'`);
        expect(node.right, "number", `'${node.op}'`);
        return "boolean";
      case "==":
      case "!=": {
        const l = typeOf(node.left);
        const r = typeOf(node.right);
        if (l !== "any" && r !== "any" && l !== r) report(`'${node.op}' cannot compare a ${l} with a ${r}`, node.col);
        return "boolean";
      }
      case "and":
      case "or":
        expect(node.left, "boolean", `'${node.op}'`);
        expect(node.right, "boolean", `'${node.op}'`);
        return "boolean";
    }
  }

  function callType(node: ExprNode & { kind: "call" }): ExprType {
    const arity = ARITY[node.fn];
    if (node.args.length < arity.min || node.args.length > arity.max) {
      report(`${node.fn}() takes ${arity.min === arity.max ? arity.min : `at least ${arity.min}`} argument(s): ${arity.usage}`, node.col);
      node.args.forEach((a) => typeOf(a));
      return node.fn === "if" ? "any" : "number";
    }
    if (node.fn !== "if") {
      node.args.forEach((a) => expect(a, "number", `${node.fn}()`));
      return "number";
    }
    const [cond, then, other] = node.args as [ExprNode, ExprNode, ExprNode];
    expect(cond, "boolean", "the condition of if()");
    const a = typeOf(then);
    const b = typeOf(other);
    if (a !== "any" && b !== "any" && a !== b) report(`if() needs both branches of one type, but they are ${a} and ${b}`, node.col);
    return a === b ? a : "any";
  }

  const type = typeOf(ast);
  return { type, deps, errors };
}
