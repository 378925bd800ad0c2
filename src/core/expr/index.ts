// The expression language of derived tags and cause-and-effect causes: compile once at
// load (src/core/expr/compile.ts), evaluate every scan with quality (evaluate.ts).
// Syntax and the rule for '-' in tag names: lexer.ts and parser.ts.
export type { ArithOp, BinaryOp, CompareOp, Compiled, ExprError, ExprNode, ExprType, FunctionName, KnownTags, LogicOp } from "./ast.js";
export { FUNCTIONS } from "./ast.js";
export { compile, formatExprErrors, orderDerived, type DerivedDef, type DerivedOrder } from "./compile.js";
export { evaluate, type ExprResult, type ExprValue, type TagLookup } from "./evaluate.js";
export { formatExpr } from "./format.js";
export { isBareName } from "./lexer.js";
