// The syntax tree and result types of the expression language used for derived tags
// (`PIT-201 - PIT-202`) and cause-and-effect causes (`LIT-101 < 10 or LSL-101`).
// Everything here is plain data, so a compiled expression can be persisted or logged.

/** Column numbers are 1-based character positions in the expression text. */
export interface Span {
  col: number;
}

export type ExprType = "number" | "boolean" | "string" | "any";

export type ArithOp = "+" | "-" | "*" | "/";
export type CompareOp = "<" | "<=" | ">" | ">=" | "==" | "!=";
export type LogicOp = "and" | "or";
export type BinaryOp = ArithOp | CompareOp | LogicOp;

export const FUNCTIONS = ["min", "max", "abs", "clamp", "if"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export type ExprNode =
  | ({ kind: "number"; value: number } & Span)
  | ({ kind: "boolean"; value: boolean } & Span)
  | ({ kind: "string"; value: string } & Span)
  | ({ kind: "tag"; name: string } & Span)
  | ({ kind: "neg"; arg: ExprNode } & Span)
  | ({ kind: "not"; arg: ExprNode } & Span)
  | ({ kind: "binary"; op: BinaryOp; left: ExprNode; right: ExprNode } & Span)
  | ({ kind: "call"; fn: FunctionName; args: ExprNode[] } & Span);

/** A problem found while compiling, located in the text. */
export interface ExprError {
  /** Full sentence, including the column: "unknown tag 'PIT-2O1' at column 5". */
  message: string;
  col: number;
}

/** An expression parsed and checked once at load, ready to evaluate every scan. */
export interface Compiled {
  text: string;
  ast: ExprNode;
  /** Tags the expression reads, each once, in order of first appearance. */
  deps: string[];
  /** The static type of the result ("any" when it depends on tags of unknown type). */
  type: ExprType;
}

/** Known tags: names only, or names with their types for a stricter check. */
export type KnownTags = Iterable<string> | ReadonlyMap<string, ExprType>;

export function isFunctionName(s: string): s is FunctionName {
  return (FUNCTIONS as readonly string[]).includes(s);
}
