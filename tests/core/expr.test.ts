// The expression language: the '-' in tag names, error messages with columns, types,
// quality propagation, derived-tag ordering, and round-trip properties (fast-check).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Compiled, type ExprError, type ExprNode, type ExprType, compile, evaluate, formatExpr, orderDerived } from "../../src/core/expr/index.js";
import { GOOD, type Quality, type TagValue, bad, uncertain } from "../../src/core/quality.js";

const TAGS = ["PIT-201", "PIT-202", "DPIT-201", "AIT-301", "AIT-302", "LIT-101", "LSL-101", "PIT-301", "state", "FIT-301", "FIT-302"];
const TYPED = new Map<string, ExprType>([
  ["PIT-201", "number"],
  ["PIT-202", "number"],
  ["LIT-101", "number"],
  ["LSL-101", "boolean"],
  ["state", "string"],
]);

function ok(text: string, known: Iterable<string> | ReadonlyMap<string, ExprType> = TAGS): Compiled {
  const c = compile(text, known);
  if (Array.isArray(c)) throw new Error(`expected ${text} to compile: ${c.map((e) => e.message).join("; ")}`);
  return c;
}

function errors(text: string, known: Iterable<string> | ReadonlyMap<string, ExprType> = TAGS): ExprError[] {
  const c = compile(text, known);
  if (!Array.isArray(c)) throw new Error(`expected ${text} to fail`);
  return c;
}

type Sample = { value: TagValue; quality: Quality };
const table = (values: Record<string, TagValue | Sample>) => (tag: string) => {
  const v = values[tag];
  if (v === undefined) return undefined;
  return v !== null && typeof v === "object" ? v : { value: v, quality: GOOD };
};

describe("tag names and binary minus", () => {
  it("reads ISA names with '-' as one tag and spaced '-' as subtraction", () => {
    const c = ok("PIT-201 - PIT-202");
    expect(c.deps).toEqual(["PIT-201", "PIT-202"]);
    expect(evaluate(c, table({ "PIT-201": 2.5, "PIT-202": 1.75 }))).toEqual({ value: 0.75, quality: GOOD });
  });

  it("ends a name at a space, so one-sided spacing is also a subtraction", () => {
    expect(evaluate(ok("PIT-201 -PIT-202"), table({ "PIT-201": 3, "PIT-202": 1 })).value).toBe(2);
    expect(evaluate(ok("PIT-201- PIT-202"), table({ "PIT-201": 3, "PIT-202": 1 })).value).toBe(2);
  });

  it("reads an unspaced minus between names as one unknown name, with a hint", () => {
    const [e] = errors("PIT-201-PIT-202");
    expect(e?.message).toBe("unknown tag 'PIT-201-PIT-202'; to subtract, put spaces around '-': 'PIT-201 - PIT-202' at column 1");
  });

  it("accepts backtick-quoted names anywhere", () => {
    expect(evaluate(ok("`PIT-201`-`PIT-202`"), table({ "PIT-201": 3, "PIT-202": 1 })).value).toBe(2);
    expect(ok("`and` + 1", ["and"]).deps).toEqual(["and"]);
  });

  it("subtracts a number from a name when the minus is followed by a digit only if spaced", () => {
    expect(evaluate(ok("PIT-201 - 1"), table({ "PIT-201": 3 })).value).toBe(2);
    expect(errors("PIT-201-1")[0]?.message).toContain("unknown tag 'PIT-201-1'");
  });

  it("names an unknown tag with its column and a near miss", () => {
    const [e] = errors("1 + PIT-2O1");
    expect(e).toEqual({ message: "unknown tag 'PIT-2O1'; did you mean 'PIT-201'? at column 5", col: 5 });
  });

  it("hints at lower-case keywords", () => {
    expect(errors("LIT-101 < 10 OR LSL-101")[0]?.message).toBe("unexpected 'OR': keywords are lower case ('or') at column 14");
    expect(errors("NOT LSL-101")[0]?.message).toBe("unexpected 'LSL-101' (missing operator?) at column 5");
    expect(errors("TRUE")[0]?.message).toBe("unknown tag 'TRUE'; keywords are lower case: 'true' at column 1");
  });

  it("reports every unknown tag at once, in column order", () => {
    expect(errors("XX-1 + YY-2").map((e) => e.col)).toEqual([1, 8]);
  });
});

describe("syntax", () => {
  const value = (text: string, values: Record<string, TagValue> = {}) => evaluate(ok(text), table(values)).value;

  it("follows precedence: * / over + -, comparisons over not, and over or", () => {
    expect(value("1 - AIT-302 / AIT-301", { "AIT-302": 20, "AIT-301": 1000 })).toBe(0.98);
    expect(value("2 + 3 * 4 - 6 / 2")).toBe(11);
    expect(value("(2 + 3) * 4")).toBe(20);
    expect(value("10 - 4 - 3")).toBe(3);
    expect(value("-2 * -3")).toBe(6);
    expect(value("true or false and false")).toBe(true);
    expect(value("not 1 > 2")).toBe(true);
    expect(value("!(1 > 2) && 2 >= 2 || false")).toBe(true);
    expect(value("1 != 2 and 2 == 2 and 1 <= 1 and 1 < 2")).toBe(true);
    expect(value("1.5e1 == 15")).toBe(true);
  });

  it("compares strings", () => {
    const c = ok('DPIT-201 > 0.8 and state == "Execute"');
    expect(c.type).toBe("boolean");
    expect(evaluate(c, table({ "DPIT-201": 0.9, state: "Execute" })).value).toBe(true);
    expect(evaluate(c, table({ "DPIT-201": 0.9, state: "Held" })).value).toBe(false);
    expect(evaluate(ok('state != "say \\"hi\\""'), table({ state: 'say "hi"' })).value).toBe(false);
  });

  it("has min, max, abs, clamp and if", () => {
    expect(value("min(3, 1, 2) + max(4, 5)")).toBe(6);
    expect(value("abs(PIT-201 - 5)", { "PIT-201": 2 })).toBe(3);
    expect(value("clamp(PIT-201, 0, 1)", { "PIT-201": 7 })).toBe(1);
    expect(value("if(LSL-101, 1, 2)", { "LSL-101": false })).toBe(2);
  });

  it.each([
    ["", "empty expression at column 1"],
    ["PIT-301 >", "unexpected end of expression (an operand is missing) at column 10"],
    ["(PIT-301 > 16", "expected ')' to close the '(' at column 1, found end of expression at column 14"],
    ["PIT-301 = 16", "'=' is not an operator: compare with '==' at column 9"],
    ["PIT-301 & LSL-101", "'&' is not an operator: use 'and' (or '&&') at column 9"],
    ["0 < PIT-301 < 16", "comparisons do not chain: use 'and' or parentheses before '<' at column 13"],
    ["sqrt(PIT-301)", "unknown function 'sqrt'; the functions are min, max, abs, clamp, if at column 1"],
    ["min()", "min() takes at least 1 argument(s): min(a, b, ...) at column 1"],
    ["clamp(1, 2)", "clamp() takes 3 argument(s): clamp(x, low, high) at column 1"],
    ["PIT-301 > 16s", "a number cannot be followed by 's' (units are not part of an expression) at column 13"],
    ["PIT-301 PIT-201", "unexpected 'PIT-201' (missing operator?) at column 9"],
    ["'Execute'", "unexpected character ''' at column 1"],
    ['state == "Exec', 'unterminated "string" at column 10'],
    ["`PIT-301 > 1", "unterminated `quoted name` at column 1"],
    ["1 + * 2", "unexpected '*' (an operand is missing) at column 5"],
    ["min(1 2)", "expected ',' or ')' in the call of min() opened at column 4, found '2' at column 7"],
  ])("rejects %j: %s", (text, message) => {
    expect(errors(text).map((e) => e.message)).toEqual([message]);
  });
});

describe("types, when the tag types are known", () => {
  it.each([
    ["LSL-101 + 1", "'+' needs a number, but 'LSL-101' is a boolean at column 1"],
    ["PIT-201 or LSL-101", "'or' needs a boolean, but 'PIT-201' is a number at column 1"],
    ['state == 1', "'==' cannot compare a string with a number at column 7"],
    ["not PIT-201", "'not' needs a boolean, but 'PIT-201' is a number at column 5"],
    ["-LSL-101", "unary '-' needs a number, but 'LSL-101' is a boolean at column 2"],
    ["if(PIT-201, 1, 2)", "the condition of if() needs a boolean, but 'PIT-201' is a number at column 4"],
    ["if(LSL-101, 1, true)", "if() needs both branches of one type, but they are number and boolean at column 1"],
    ['max(1, "a")', 'max() needs a number, but "a" is a string at column 8'],
  ])("rejects %j", (text, message) => {
    expect(errors(text, TYPED).map((e) => e.message)).toEqual([message]);
  });

  it("infers the result type", () => {
    expect(ok("PIT-201 - PIT-202", TYPED).type).toBe("number");
    expect(ok("LIT-101 < 10 or LSL-101", TYPED).type).toBe("boolean");
    expect(ok("if(LSL-101, state, \"x\")", TYPED).type).toBe("string");
  });

  it("checks types at run time when they were not known at load", () => {
    const r = evaluate(ok("PIT-201 + 1"), table({ "PIT-201": true }));
    expect(r.value).toBeNull();
    expect(r.quality).toEqual(bad("config", "a number needed at column 1, got boolean"));
  });
});

describe("quality", () => {
  const u = uncertain("warning");
  const offline = bad("no-comm", "rio-1 offline");

  it("is the worst quality of the inputs used", () => {
    const c = ok("PIT-201 - PIT-202");
    expect(evaluate(c, table({ "PIT-201": { value: 3, quality: u }, "PIT-202": 1 }))).toEqual({ value: 2, quality: u });
    expect(evaluate(c, table({ "PIT-201": { value: 3, quality: u }, "PIT-202": { value: 1, quality: offline } }))).toEqual({ value: 2, quality: offline });
  });

  it("makes division by zero and overflow bad (config)", () => {
    expect(evaluate(ok("1 - AIT-302 / AIT-301"), table({ "AIT-302": 5, "AIT-301": 0 }))).toEqual({ value: null, quality: bad("config", "division by zero") });
    expect(evaluate(ok("PIT-201 * PIT-201"), table({ "PIT-201": 1e200 }))).toEqual({ value: null, quality: bad("config", "result is not a finite number") });
  });

  it("ignores an input that cannot change the result of and/or", () => {
    const c = ok("LIT-101 < 10 or LSL-101");
    expect(evaluate(c, table({ "LIT-101": 5, "LSL-101": { value: false, quality: offline } }))).toEqual({ value: true, quality: GOOD });
    expect(evaluate(c, table({ "LIT-101": { value: 50, quality: offline }, "LSL-101": true }))).toEqual({ value: true, quality: GOOD });
    expect(evaluate(c, table({ "LIT-101": 50, "LSL-101": { value: false, quality: offline } }))).toEqual({ value: false, quality: offline });
    expect(evaluate(c, table({ "LIT-101": { value: 5, quality: offline }, "LSL-101": false }))).toEqual({ value: true, quality: offline });
    const a = ok("LIT-101 < 10 and LSL-101");
    expect(evaluate(a, table({ "LIT-101": 50, "LSL-101": { value: null, quality: offline } }))).toEqual({ value: false, quality: GOOD });
  });

  it("treats a missing value as unknown (Kleene logic), never good", () => {
    const c = ok("LIT-101 < 10 or LSL-101");
    const r = evaluate(c, table({ "LIT-101": null, "LSL-101": false }));
    expect(r).toEqual({ value: null, quality: bad("not-yet-read", "LIT-101") });
    expect(evaluate(c, table({ "LIT-101": null, "LSL-101": true })).value).toBe(true);
    expect(evaluate(ok("PIT-201 + 1"), table({ "PIT-201": { value: null, quality: offline } }))).toEqual({ value: null, quality: offline });
    expect(evaluate(ok("max(PIT-201, 1)"), table({ "PIT-201": null })).value).toBeNull();
  });

  it("uses only the branch that if() takes", () => {
    const c = ok("if(LSL-101, PIT-201, PIT-202)");
    expect(evaluate(c, table({ "LSL-101": true, "PIT-201": 1, "PIT-202": { value: 2, quality: offline } }))).toEqual({ value: 1, quality: GOOD });
  });

  it("reports a tag the lookup does not know", () => {
    expect(evaluate(ok("PIT-201 + 1"), table({}))).toEqual({ value: null, quality: bad("config", "unknown tag 'PIT-201'") });
  });
});

describe("orderDerived", () => {
  const def = (name: string, text: string) => ({ name, expr: ok(text, [...TAGS, "A", "B", "C", "D"]) });

  it("orders derived tags after the derived tags they read, keeping config order otherwise", () => {
    const r = orderDerived([def("A", "B + C"), def("D", "PIT-201 * 2"), def("B", "C - 1"), def("C", "PIT-201 - PIT-202")]);
    expect(r).toEqual({ ok: true, order: ["C", "B", "A", "D"] });
  });

  it("names the cycle", () => {
    const r = orderDerived([def("D", "1"), def("A", "B + 1"), def("B", "C * 2"), def("C", "A - D")]);
    expect(r).toEqual({ ok: false, cycle: ["A", "B", "C", "A"], message: "derived tags form a cycle: A → B → C → A" });
    expect(orderDerived([def("A", "A + 1")])).toMatchObject({ ok: false, message: "derived tags form a cycle: A → A" });
  });
});

// ---- properties ---------------------------------------------------------------------

type Tree = { k: "n"; v: number } | { k: "t"; name: string } | { k: "neg"; a: Tree } | { k: "bin"; op: "+" | "-" | "*" | "/"; a: Tree; b: Tree };
const PROP_TAGS = ["PIT-201", "A-1.B", "x_2", "DPIT-201"];

const treeArb = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 6, depthSize: "small" },
    fc.double({ min: 0, max: 1e6, noNaN: true }).map((v): Tree => ({ k: "n", v })),
    fc.constantFrom(...PROP_TAGS).map((name): Tree => ({ k: "t", name })),
    tie("tree").map((a): Tree => ({ k: "neg", a })),
    fc.record({ op: fc.constantFrom("+", "-", "*", "/"), a: tie("tree"), b: tie("tree") }).map((r): Tree => ({ k: "bin", ...r })),
  ),
})).tree;

/** Fully parenthesised text; spacing is random except around binary minus. */
function print(t: Tree, tight: boolean): string {
  switch (t.k) {
    case "n":
      return String(t.v);
    case "t":
      return t.name;
    case "neg":
      return `-(${print(t.a, tight)})`;
    case "bin":
      return `(${print(t.a, tight)}${tight && t.op !== "-" ? t.op : ` ${t.op} `}${print(t.b, tight)})`;
  }
}

/** The same arithmetic done directly; null where the evaluator must report bad quality. */
function direct(t: Tree, env: Record<string, number>): number | null {
  switch (t.k) {
    case "n":
      return Number(String(t.v));
    case "t":
      return env[t.name] as number;
    case "neg": {
      const a = direct(t.a, env);
      return a === null ? null : -a;
    }
    case "bin": {
      const a = direct(t.a, env);
      const b = direct(t.b, env);
      if (a === null || b === null || (t.op === "/" && b === 0)) return null;
      const v = t.op === "+" ? a + b : t.op === "-" ? a - b : t.op === "*" ? a * b : a / b;
      return Number.isFinite(v) ? v : null;
    }
  }
}

const envArb = fc.record(Object.fromEntries(PROP_TAGS.map((n) => [n, fc.double({ min: -1e3, max: 1e3, noNaN: true })])));

function strip(n: ExprNode): unknown {
  return JSON.parse(JSON.stringify(n, (k, v: unknown) => (k === "col" ? undefined : v)));
}

describe("properties", () => {
  it("random arithmetic trees, printed and parsed, evaluate like direct computation", () => {
    fc.assert(
      fc.property(treeArb, envArb, fc.boolean(), (tree, env, tight) => {
        const got = evaluate(ok(print(tree, tight), PROP_TAGS), table(env));
        const want = direct(tree, env);
        if (want === null) return got.value === null && got.quality.code === "bad";
        return Object.is(got.value, want) || got.value === want;
      }),
      { numRuns: 2000 },
    );
  });

  it("formatExpr gives text that parses back to the same tree", () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const c = ok(print(tree, false), PROP_TAGS);
        const again = ok(formatExpr(c.ast), PROP_TAGS);
        expect(strip(again.ast)).toEqual(strip(c.ast));
      }),
      { numRuns: 1000 },
    );
    const c = ok('not (LIT-101 < 10 or LSL-101) and (1 - (2 - 3)) / (4 * 5) == 0 or state == "a\\"b"');
    expect(formatExpr(c.ast)).toBe('not (LIT-101 < 10 or LSL-101) and (1 - (2 - 3)) / (4 * 5) == 0 or state == "a\\"b"');
    expect(formatExpr(ok("`and` + 1", ["and"]).ast)).toBe("`and` + 1");
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const c = compile(text, TAGS);
        if (Array.isArray(c)) return c.length > 0 && c.every((e) => / at column \d+$/.test(e.message));
        return evaluate(c, table({})).quality.code !== undefined;
      }),
      { numRuns: 3000 },
    );
  });
});
