// Prints a syntax tree back as expression text that parses to the same tree: for logs,
// the CLI ("cause: PIT-301 > 16") and the round-trip property tests. Binary operators are
// spaced (so binary minus between tag names is always readable), parentheses only where
// precedence needs them, names that are not plain ISA names quoted with backticks.
import type { BinaryOp, ExprNode } from "./ast.js";
import { isBareName } from "./lexer.js";

const BINARY_PREC: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "==": 4,
  "!=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
};
const NOT_PREC = 3;
const NEG_PREC = 7;
const ATOM_PREC = 8;

function precOf(node: ExprNode): number {
  switch (node.kind) {
    case "binary":
      return BINARY_PREC[node.op];
    case "not":
      return NOT_PREC;
    case "neg":
      return NEG_PREC;
    case "number":
      return node.value < 0 || Object.is(node.value, -0) ? NEG_PREC : ATOM_PREC;
    case "boolean":
    case "string":
    case "tag":
    case "call":
      return ATOM_PREC;
  }
}

function text(node: ExprNode): string {
  switch (node.kind) {
    case "number":
      return Object.is(node.value, -0) ? "-0" : String(node.value);
    case "boolean":
      return String(node.value);
    case "string":
      return `"${node.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case "tag":
      return isBareName(node.name) ? node.name : `\`${node.name}\``;
    case "neg":
      return `-${at(node.arg, NEG_PREC)}`;
    case "not":
      return `not ${at(node.arg, NOT_PREC)}`;
    case "binary": {
      const p = BINARY_PREC[node.op];
      // Left-associative, comparisons not associative at all: the right side (and the
      // left of a comparison) needs parentheses at equal precedence to keep the tree.
      return `${at(node.left, p === 4 ? p + 1 : p)} ${node.op} ${at(node.right, p + 1)}`;
    }
    case "call":
      return `${node.fn}(${node.args.map((a) => at(a, 0)).join(", ")})`;
  }
}

function at(node: ExprNode, minPrec: number): string {
  return precOf(node) >= minPrec ? text(node) : `(${text(node)})`;
}

/** The expression as text; for any tree the parser made, parsing the text gives the same tree back. */
export function formatExpr(node: ExprNode): string {
  return text(node);
}
