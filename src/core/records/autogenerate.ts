/**
 * Random strings from a regular expression, as PocketBase's `security.RandomStringByRegex` makes record
 * ids (`[a-z0-9]{15}`), token keys and text `autogeneratePattern` values.
 *
 * Supported: literals and escapes, `.`, `\d \w \s` (and negations), classes with ranges, negation and
 * POSIX names, groups (`(...)`, `(?:...)`, named), alternation, and `* + ? {n} {n,} {n,m}` (lazy
 * forms too). Anchors, word boundaries, flags, back references and Unicode classes are rejected, as
 * PocketBase rejects anchors and empty matches.
 *
 * Repetition counts follow PocketBase exactly: a count is drawn from `[min, max)` when max > min (so
 * `x?` never emits, `x{2,4}` emits 2 or 3), unbounded repeats stop at 6, `.` draws from `[A-Za-z0-9]`.
 * Negated classes draw from printable ASCII (PocketBase draws from all of Unicode).
 */
import { PlinthError } from "../errors.ts";

/** A parsed pattern node. */
export type PatternNode =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "class"; readonly alphabet: string }
  | { readonly kind: "concat"; readonly items: readonly PatternNode[] }
  | { readonly kind: "alternate"; readonly options: readonly PatternNode[] }
  | { readonly kind: "repeat"; readonly item: PatternNode; readonly min: number; readonly max: number };

/** Draws one character of `alphabet` uniformly; the caller's randomness source. */
export type RandomChar = (alphabet: string) => string;

const MAX_REPEAT = 1000;
const UNBOUNDED_REPEAT = 6;
const ANY_CHAR = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join("");
const DIGITS = "0123456789";
const WORD = `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
const SPACE = "\t\n\f\r ";
const POSIX: Readonly<Record<string, string>> = {
  alnum: `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz`,
  alpha: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
  digit: DIGITS,
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  xdigit: `${DIGITS}ABCDEFabcdef`,
  space: "\t\n\v\f\r ",
  blank: "\t ",
  punct: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  word: WORD,
};
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  f: "\f",
  v: "\v",
  a: "\x07",
};
const ESCAPE_CLASSES: Readonly<Record<string, string>> = { d: DIGITS, w: WORD, s: SPACE };

function fail(pattern: string, why: string): never {
  throw new PlinthError(
    "invalid_input",
    `Unsupported autogenerate pattern ${JSON.stringify(pattern)}: ${why}.`,
  );
}

function complement(chars: Set<string>): string {
  return [...PRINTABLE].filter((c) => !chars.has(c)).join("");
}

function range(from: number, to: number): string {
  let out = "";
  for (let c = from; c <= to; c++) out += String.fromCharCode(c);
  return out;
}

/** A recursive-descent reader over the pattern text. */
function createParser(pattern: string) {
  let pos = 0;
  const peek = (): string => pattern[pos] ?? "";
  const eof = (): boolean => pos >= pattern.length;

  function readCodePoint(): string {
    const cp = pattern.codePointAt(pos);
    if (cp === undefined) fail(pattern, "unexpected end");
    if (cp > 0xffff) fail(pattern, "characters outside the Basic Multilingual Plane are not supported");
    pos++;
    return String.fromCharCode(cp);
  }

  function readHexEscape(): string {
    let hex: string;
    if (peek() === "{") {
      const end = pattern.indexOf("}", pos);
      if (end < 0) fail(pattern, "unterminated \\x{...}");
      hex = pattern.slice(pos + 1, end);
      pos = end + 1;
    } else {
      hex = pattern.slice(pos, pos + 2);
      pos += 2;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(hex)) fail(pattern, `invalid or unsupported hex escape \\x${hex}`);
    return String.fromCharCode(Number.parseInt(hex, 16));
  }

  /** Reads the escape after a backslash: one literal character or a class alphabet. */
  function readEscape(): { char: string } | { alphabet: string; negated: boolean } {
    const c = readCodePoint();
    const cls = ESCAPE_CLASSES[c.toLowerCase()];
    if (cls !== undefined) return { alphabet: cls, negated: c !== c.toLowerCase() };
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return { char: simple };
    if (c === "x") return { char: readHexEscape() };
    if (/[^A-Za-z0-9]/.test(c)) return { char: c };
    return fail(pattern, `escape \\${c} is not supported`);
  }

  function parseClass(): PatternNode {
    // the opening "[" is consumed
    let negated = false;
    if (peek() === "^") {
      negated = true;
      pos++;
    }
    const chars = new Set<string>();
    const add = (text: string) => {
      for (const ch of text) chars.add(ch);
    };
    let first = true;
    while (true) {
      if (eof()) fail(pattern, "unterminated character class");
      if (peek() === "]" && !first) {
        pos++;
        break;
      }
      first = false;
      if (pattern.startsWith("[:", pos)) {
        const end = pattern.indexOf(":]", pos + 2);
        const name = end < 0 ? "" : pattern.slice(pos + 2, end);
        const negatedName = name.startsWith("^");
        const set = POSIX[negatedName ? name.slice(1) : name];
        if (set === undefined) fail(pattern, `unknown class [:${name}:]`);
        add(negatedName ? complement(new Set(set)) : set);
        pos = end + 2;
        continue;
      }
      let low: string;
      if (peek() === "\\") {
        pos++;
        const esc = readEscape();
        if ("alphabet" in esc) {
          add(esc.negated ? complement(new Set(esc.alphabet)) : esc.alphabet);
          continue;
        }
        low = esc.char;
      } else {
        low = readCodePoint();
      }
      if (peek() === "-" && pattern[pos + 1] !== "]" && pos + 1 < pattern.length) {
        pos++;
        let high: string;
        if (peek() === "\\") {
          pos++;
          const esc = readEscape();
          if ("alphabet" in esc) fail(pattern, "a class escape cannot end a range");
          high = esc.char;
        } else {
          high = readCodePoint();
        }
        if (high < low) fail(pattern, `invalid range ${low}-${high}`);
        add(range(low.charCodeAt(0), high.charCodeAt(0)));
      } else {
        add(low);
      }
    }
    const alphabet = negated ? complement(chars) : [...chars].join("");
    if (alphabet === "") fail(pattern, "a character class matches nothing");
    return { kind: "class", alphabet };
  }

  function parseAtom(): PatternNode {
    const c = peek();
    if (c === "(") {
      pos++;
      if (peek() === "?") {
        if (pattern.startsWith("?:", pos)) pos += 2;
        else if (/^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.test(pattern.slice(pos)))
          pos = pattern.indexOf(">", pos) + 1;
        else fail(pattern, "flags and lookaround groups are not supported");
      }
      const inner = parseAlternation();
      if (peek() !== ")") fail(pattern, "missing closing parenthesis");
      pos++;
      return inner;
    }
    if (c === "[") {
      pos++;
      return parseClass();
    }
    if (c === ".") {
      pos++;
      return { kind: "class", alphabet: ANY_CHAR };
    }
    if (c === "^" || c === "$") fail(pattern, "anchors are not supported");
    if (c === "*" || c === "+" || c === "?" || /^\{\d+(,\d*)?\}/.test(pattern.slice(pos))) {
      fail(pattern, `missing argument to repetition operator ${c}`);
    }
    if (c === "\\") {
      pos++;
      const next = peek();
      if ("bBAzZ".includes(next)) fail(pattern, `assertion \\${next} is not supported`);
      if (next === "p" || next === "P") fail(pattern, "Unicode classes are not supported");
      const esc = readEscape();
      if ("alphabet" in esc) {
        return { kind: "class", alphabet: esc.negated ? complement(new Set(esc.alphabet)) : esc.alphabet };
      }
      return { kind: "literal", text: esc.char };
    }
    return { kind: "literal", text: readCodePoint() };
  }

  function readRepeatBounds(): { min: number; max: number } | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(pos));
    if (!m) return null;
    pos += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min))
      fail(pattern, `invalid repeat count ${m[0]}`);
    return { min, max };
  }

  function parseRepeat(): PatternNode {
    let node = parseAtom();
    while (!eof()) {
      const c = peek();
      let bounds: { min: number; max: number } | null = null;
      if (c === "*") bounds = { min: 0, max: -1 };
      else if (c === "+") bounds = { min: 1, max: -1 };
      else if (c === "?") bounds = { min: 0, max: 1 };
      if (bounds) pos++;
      else if (c === "{") bounds = readRepeatBounds();
      if (!bounds) break;
      if (peek() === "?") pos++; // lazy: generation is the same
      node = { kind: "repeat", item: node, min: bounds.min, max: bounds.max };
    }
    return node;
  }

  function parseConcat(): PatternNode {
    const items: PatternNode[] = [];
    while (!eof() && peek() !== "|" && peek() !== ")") items.push(parseRepeat());
    if (items.length === 0) fail(pattern, "empty expressions are not supported");
    return items.length === 1 && items[0] ? items[0] : { kind: "concat", items };
  }

  function parseAlternation(): PatternNode {
    const options = [parseConcat()];
    while (peek() === "|") {
      pos++;
      options.push(parseConcat());
    }
    return options.length === 1 && options[0] ? options[0] : { kind: "alternate", options };
  }

  return {
    parse(): PatternNode {
      const node = parseAlternation();
      if (!eof()) fail(pattern, `unexpected ${JSON.stringify(peek())}`);
      return node;
    },
  };
}

/** Parses a pattern into nodes, or throws `invalid_input` naming what is unsupported. */
export function parsePattern(pattern: string): PatternNode {
  return createParser(pattern).parse();
}

/** Draws an integer in [0, n) through a character draw over n distinct characters. */
function randomIndex(n: number, random: RandomChar): number {
  if (n <= 1) return 0;
  const base = 0x4e00; // a run of 20k assigned BMP characters; n never exceeds MAX_REPEAT here
  const alphabet = range(base, base + n - 1);
  const index = random(alphabet).charCodeAt(0) - base;
  return index >= 0 && index < n ? index : 0;
}

function emit(node: PatternNode, random: RandomChar, out: string[]): void {
  switch (node.kind) {
    case "literal":
      out.push(node.text);
      return;
    case "class":
      out.push(node.alphabet.length === 1 ? node.alphabet : random(node.alphabet));
      return;
    case "concat":
      for (const item of node.items) emit(item, random, out);
      return;
    case "alternate": {
      const option = node.options[randomIndex(node.options.length, random)];
      if (option) emit(option, random, out);
      return;
    }
    case "repeat": {
      let max = node.max < 0 ? UNBOUNDED_REPEAT : node.max;
      if (max < node.min) max = node.min;
      const count = node.min + (max !== node.min ? randomIndex(max - node.min, random) : 0);
      for (let i = 0; i < count; i++) emit(node.item, random, out);
      return;
    }
    default: {
      const never: never = node;
      throw new Error(`unknown pattern node ${JSON.stringify(never)}`);
    }
  }
}

/** A random string matching `pattern` (PocketBase's subset; see the file comment), drawing through `random`. */
export function generateFromPattern(pattern: string, random: RandomChar): string {
  const out: string[] = [];
  emit(parsePattern(pattern), random, out);
  return out.join("");
}
