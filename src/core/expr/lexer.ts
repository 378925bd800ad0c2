// Lexer of the expression language. The one subtle rule is how ISA-5.1 tag names, which
// contain '-', live next to the minus operator:
//
//   A tag name is a letter followed by letters, digits, '_', '.' and '-', where a '-' or
//   '.' belongs to the name only when the very next character is a letter or a digit.
//   So `PIT-201` is one name and `PIT-201 - PIT-202` is a subtraction, because a space
//   ends a name. Write binary minus between two names with spaces around it:
//   `PIT-201-PIT-202` is read as ONE name (and is reported as an unknown tag with a hint).
//   Any name can also be quoted with backticks: `` `PIT-201`-`PIT-202` ``.
//
// Keywords (and, or, not, true, false) are lower case; `&&`, `||` and `!` are synonyms.
// Strings are double-quoted ("Execute"), with \" and \\ as the only escapes.
import type { ExprError } from "./ast.js";

export type Punct = "+" | "-" | "*" | "/" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "(" | ")" | ",";

export type Token =
  | { t: "number"; value: number; col: number; text: string }
  | { t: "string"; value: string; col: number; text: string }
  | { t: "name"; value: string; col: number; text: string; quoted: boolean }
  | { t: "keyword"; value: "and" | "or" | "not" | "true" | "false"; col: number; text: string }
  | { t: "punct"; value: Punct; col: number; text: string }
  | { t: "end"; col: number; text: string };

const KEYWORDS = new Set(["and", "or", "not", "true", "false"]);
const NUMBER_RE = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;

const isLetter = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlnum = (c: string | undefined): boolean => isLetter(c) || isDigit(c);

/** The length of the tag name that starts at `i` (text[i] is a letter). */
function nameLength(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = text[j];
    if (isAlnum(c) || c === "_") j++;
    else if ((c === "-" || c === ".") && isAlnum(text[j + 1])) j++;
    else return j - i;
  }
}

/** True when `name` reads back as a single unquoted tag name (not a keyword). */
export function isBareName(name: string): boolean {
  return isLetter(name[0]) && nameLength(name, 0) === name.length && !KEYWORDS.has(name);
}

const TWO_CHAR: Record<string, Punct | "and" | "or"> = { "<=": "<=", ">=": ">=", "==": "==", "!=": "!=", "&&": "and", "||": "or" };
const ONE_CHAR: Record<string, Punct> = { "+": "+", "-": "-", "*": "*", "/": "/", "<": "<", ">": ">", "(": "(", ")": ")", ",": "," };

function err(message: string, col: number): { error: ExprError } {
  return { error: { message: `${message} at column ${col}`, col } };
}

/** Splits the text into tokens, or reports the first character it cannot read. */
export function lex(text: string): { tokens: Token[] } | { error: ExprError } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const col = i + 1;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (isLetter(c)) {
      const word = text.slice(i, i + nameLength(text, i));
      if (KEYWORDS.has(word)) tokens.push({ t: "keyword", value: word as "and", col, text: word });
      else tokens.push({ t: "name", value: word, col, text: word, quoted: false });
      i += word.length;
      continue;
    }
    if (isDigit(c)) {
      const m = NUMBER_RE.exec(text.slice(i)) as RegExpExecArray;
      const after = text[i + m[0].length];
      if (isLetter(after) || after === "_" || after === ".")
        return err(`a number cannot be followed by '${after}' (units are not part of an expression)`, i + m[0].length + 1);
      tokens.push({ t: "number", value: Number(m[0]), col, text: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0) return err("unterminated `quoted name`", col);
      const name = text.slice(i + 1, end);
      if (name.trim() === "") return err("empty `quoted name`", col);
      tokens.push({ t: "name", value: name, col, text: text.slice(i, end + 1), quoted: true });
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let value = "";
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && (text[j + 1] === '"' || text[j + 1] === "\\")) j++;
        value += text[j];
      }
      if (j >= text.length) return err('unterminated "string"', col);
      tokens.push({ t: "string", value, col, text: text.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    const two = TWO_CHAR[text.slice(i, i + 2)];
    if (two === "and" || two === "or") {
      tokens.push({ t: "keyword", value: two, col, text: text.slice(i, i + 2) });
      i += 2;
      continue;
    }
    if (two !== undefined) {
      tokens.push({ t: "punct", value: two, col, text: two });
      i += 2;
      continue;
    }
    if (c === "!") {
      tokens.push({ t: "keyword", value: "not", col, text: "!" });
      i++;
      continue;
    }
    const one = ONE_CHAR[c];
    if (one !== undefined) {
      tokens.push({ t: "punct", value: one, col, text: c });
      i++;
      continue;
    }
    if (c === "=") return err("'=' is not an operator: compare with '=='", col);
    if (c === "&") return err("'&' is not an operator: use 'and' (or '&&')", col);
    if (c === "|") return err("'|' is not an operator: use 'or' (or '||')", col);
    return err(`unexpected character '${c}'`, col);
  }
  tokens.push({ t: "end", col: text.length + 1, text: "end of expression" });
  return { tokens };
}
