// Recursive-descent parser of the expression language. Precedence, lowest first:
//
//   or (||)  <  and (&&)  <  not (!)  <  comparisons  <  + -  <  * /  <  unary -
//
// `not` sits below the comparisons, as in Python, so `not LIT-101 < 10` means
// `not (LIT-101 < 10)`; `!` is the same operator at the same level. Comparisons do not
// chain: `0 < x < 1` is an error (write `0 < x and x < 1`). + - * / and, or are
// left-associative. A name directly followed by '(' is a function call.
import { type BinaryOp, type CompareOp, type ExprError, type ExprNode, FUNCTIONS, isFunctionName } from "./ast.js";
import { type Token, lex } from "./lexer.js";

class ParseError extends Error {
  constructor(readonly detail: ExprError) {
    super(detail.message);
  }
}

const COMPARE: ReadonlySet<string> = new Set<CompareOp>(["<", "<=", ">", ">=", "==", "!="]);

function describe(tok: Token): string {
  return tok.t === "end" ? "end of expression" : `'${tok.text}'`;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.t !== "end") this.pos++;
    return tok;
  }

  private fail(message: string, tok: Token): never {
    throw new ParseError({ message: `${message} at column ${tok.col}`, col: tok.col });
  }

  private isPunct(value: string): boolean {
    const tok = this.peek();
    return tok.t === "punct" && tok.value === value;
  }

  private isKeyword(value: string): boolean {
    const tok = this.peek();
    return tok.t === "keyword" && tok.value === value;
  }

  parse(): ExprNode {
    if (this.peek().t === "end") this.fail("empty expression", this.peek());
    const node = this.or();
    const tok = this.peek();
    if (tok.t !== "end") {
      const lower = tok.text.toLowerCase();
      const keyword = tok.t === "name" && (lower === "and" || lower === "or");
      const hint = keyword ? `: keywords are lower case ('${lower}')` : tok.t === "name" || tok.t === "number" ? " (missing operator?)" : "";
      this.fail(`unexpected ${describe(tok)}${hint}`, tok);
    }
    return node;
  }

  private logic(op: "and" | "or", operand: () => ExprNode): ExprNode {
    let left = operand();
    while (this.isKeyword(op)) {
      const tok = this.next();
      left = { kind: "binary", op, left, right: operand(), col: tok.col };
    }
    return left;
  }

  private or(): ExprNode {
    return this.logic("or", () => this.and());
  }

  private and(): ExprNode {
    return this.logic("and", () => this.not());
  }

  private not(): ExprNode {
    if (this.isKeyword("not")) {
      const tok = this.next();
      return { kind: "not", arg: this.not(), col: tok.col };
    }
    return this.comparison();
  }

  private comparison(): ExprNode {
    const left = this.sum();
    const tok = this.peek();
    if (tok.t !== "punct" || !COMPARE.has(tok.value)) return left;
    this.next();
    const node: ExprNode = { kind: "binary", op: tok.value as BinaryOp, left, right: this.sum(), col: tok.col };
    const again = this.peek();
    if (again.t === "punct" && COMPARE.has(again.value))
      this.fail(`comparisons do not chain: use 'and' or parentheses before '${again.value}'`, again);
    return node;
  }

  private sum(): ExprNode {
    let left = this.product();
    while (this.isPunct("+") || this.isPunct("-")) {
      const tok = this.next() as Token & { value: "+" | "-" };
      left = { kind: "binary", op: tok.value, left, right: this.product(), col: tok.col };
    }
    return left;
  }

  private product(): ExprNode {
    let left = this.unary();
    while (this.isPunct("*") || this.isPunct("/")) {
      const tok = this.next() as Token & { value: "*" | "/" };
      left = { kind: "binary", op: tok.value, left, right: this.unary(), col: tok.col };
    }
    return left;
  }

  private unary(): ExprNode {
    if (this.isPunct("-")) {
      const tok = this.next();
      return { kind: "neg", arg: this.unary(), col: tok.col };
    }
    return this.primary();
  }

  private primary(): ExprNode {
    const tok = this.next();
    switch (tok.t) {
      case "number":
        return { kind: "number", value: tok.value, col: tok.col };
      case "string":
        return { kind: "string", value: tok.value, col: tok.col };
      case "name":
        return this.isPunct("(") && !tok.quoted ? this.call(tok) : { kind: "tag", name: tok.value, col: tok.col };
      case "keyword":
        if (tok.value === "true" || tok.value === "false") return { kind: "boolean", value: tok.value === "true", col: tok.col };
        return this.fail(`unexpected '${tok.text}' (an operand is missing)`, tok);
      case "punct":
        if (tok.value === "(") {
          const inner = this.or();
          if (!this.isPunct(")")) this.fail(`expected ')' to close the '(' at column ${tok.col}, found ${describe(this.peek())}`, this.peek());
          this.next();
          return inner;
        }
        return this.fail(`unexpected '${tok.text}' (an operand is missing)`, tok);
      case "end":
        return this.fail("unexpected end of expression (an operand is missing)", tok);
    }
  }

  private call(name: Token & { t: "name" }): ExprNode {
    if (!isFunctionName(name.value))
      this.fail(`unknown function '${name.value}'; the functions are ${FUNCTIONS.join(", ")}`, name);
    const open = this.next();
    const args: ExprNode[] = [];
    if (!this.isPunct(")")) {
      for (;;) {
        args.push(this.or());
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    if (!this.isPunct(")")) this.fail(`expected ',' or ')' in the call of ${name.value}() opened at column ${open.col}, found ${describe(this.peek())}`, this.peek());
    this.next();
    return { kind: "call", fn: name.value, args, col: name.col };
  }
}

/** Parses the text into a syntax tree (no check of tag names or types yet). */
export function parse(text: string): { ast: ExprNode } | { error: ExprError } {
  const lexed = lex(text);
  if ("error" in lexed) return lexed;
  try {
    return { ast: new Parser(lexed.tokens).parse() };
  } catch (e) {
    if (e instanceof ParseError) return { error: e.detail };
    throw e;
  }
}
