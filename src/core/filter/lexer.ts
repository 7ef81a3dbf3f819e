import { filterError, quote } from "./errors.ts";

/** A lexical token; `pos` is the 0-based offset of its first character. */
export type Token =
  | { readonly type: "identifier"; readonly value: string; readonly pos: number }
  /** An identifier immediately followed by `(` (the `(` is consumed). */
  | { readonly type: "call"; readonly value: string; readonly pos: number }
  | { readonly type: "number"; readonly value: string; readonly pos: number }
  | { readonly type: "text"; readonly value: string; readonly pos: number }
  | { readonly type: "sign"; readonly value: string; readonly pos: number }
  | { readonly type: "join"; readonly value: "&&" | "||"; readonly pos: number }
  | { readonly type: "lparen" | "rparen" | "comma" | "eof"; readonly pos: number };

const SIGN_CHARS = "=?!><~";
const SIGNS = new Set(["=", "!=", "~", "!~", "<", "<=", ">", ">="].flatMap((s) => [s, `?${s}`]));

function isLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}
function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isIdentStart(c: string): boolean {
  return isLetter(c) || c === "@" || c === "_" || c === "#";
}
function isIdentPart(c: string): boolean {
  return isLetter(c) || isDigit(c) || c === "_" || c === "." || c === ":";
}
// fexpr accepts space, tab and newline; `\r` is accepted too so CRLF rules parse.
function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

/** Whether an identifier literal is complete (fexpr: no trailing `.`/`:`, not a lone `@`/`_`/`#`). */
export function isValidIdentifier(s: string): boolean {
  const last = s[s.length - 1] ?? "";
  return s.length > 0 && last !== "." && last !== ":" && !(s.length === 1 && !isLetter(s));
}

/** Splits filter text into tokens following fexpr's scanner rules (comments and whitespace dropped). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const start = i;
    if (isSpace(c)) {
      i++;
    } else if (c === "/") {
      if (text[i + 1] !== "/") throw filterError("invalid comment (expected //)", start);
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "(") {
      tokens.push({ type: "lparen", pos: i++ });
    } else if (c === ")") {
      tokens.push({ type: "rparen", pos: i++ });
    } else if (c === ",") {
      tokens.push({ type: "comma", pos: i++ });
    } else if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text[i]!)) i++;
      const value = text.slice(start, i);
      if (!isValidIdentifier(value)) throw filterError(`invalid identifier ${quote(value)}`, start);
      if (text[i] === "(") {
        i++;
        tokens.push({ type: "call", value, pos: start });
      } else {
        tokens.push({ type: "identifier", value, pos: start });
      }
    } else if (c === "-" || isDigit(c)) {
      let hadDot = false;
      i++;
      while (i < n) {
        const d = text[i]!;
        if (isDigit(d)) i++;
        else if (d === "." && !hadDot) {
          hadDot = true;
          i++;
        } else break;
      }
      const value = text.slice(start, i);
      if (value === "-" || value.endsWith(".")) throw filterError(`invalid number ${quote(value)}`, start);
      tokens.push({ type: "number", value, pos: start });
    } else if (c === "'" || c === '"') {
      i++;
      let prev = "";
      let closed = false;
      while (i < n) {
        const d = text[i]!;
        i++;
        if (d === c && prev !== "\\") {
          closed = true;
          break;
        }
        prev = d;
      }
      if (!closed) throw filterError("unterminated quoted text", start);
      const raw = text.slice(start + 1, i - 1);
      tokens.push({ type: "text", value: raw.replaceAll(`\\${c}`, c), pos: start });
    } else if (SIGN_CHARS.includes(c)) {
      while (i < n && SIGN_CHARS.includes(text[i]!)) i++;
      const value = text.slice(start, i);
      if (!SIGNS.has(value)) throw filterError(`invalid operator ${quote(value)}`, start);
      tokens.push({ type: "sign", value, pos: start });
    } else if (c === "&" || c === "|") {
      while (i < n && (text[i] === "&" || text[i] === "|")) i++;
      const value = text.slice(start, i);
      if (value !== "&&" && value !== "||") throw filterError(`invalid join operator ${quote(value)}`, start);
      tokens.push({ type: "join", value, pos: start });
    } else {
      throw filterError(`unexpected character ${quote(c)}`, start);
    }
  }
  tokens.push({ type: "eof", pos: n });
  return tokens;
}
