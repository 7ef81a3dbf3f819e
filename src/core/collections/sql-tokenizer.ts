/** Splits SQL fragments on separators outside quotes and parentheses (PocketBase's tokenizer rules). */

const WHITESPACE = ["\t", "\n", "\v", "\f", "\r", " ", "\u0085", "\u00a0"];
const QUOTES = new Set(["'", '"', "`"]);

/** Options for {@link splitTokens}. */
export interface SplitOptions {
  /** Characters that end a token (when outside quotes and parentheses). */
  readonly separators: readonly string[];
  /** Append the separator that ended a token to it. */
  readonly keepSeparator?: boolean;
}

/** The tokens of `text`, trimmed of whitespace that isn't a separator; empty tokens are dropped. Throws on unbalanced quotes or parentheses. */
export function splitTokens(text: string, options: SplitOptions): string[] {
  const separators = new Set(options.separators);
  const trimSet = WHITESPACE.filter((w) => !separators.has(w));
  const tokens: string[] = [];
  const chars = Array.from(text);
  let i = 0;
  while (i < chars.length) {
    let buf = "";
    let depth = 0;
    let quote = "";
    let prev = "";
    for (; i < chars.length; i++) {
      const ch = chars[i] ?? "";
      if (prev !== "\\") {
        if (ch === "(" && quote === "") depth++;
        else if (ch === ")" && depth > 0 && quote === "") depth--;
        else if (QUOTES.has(ch)) {
          if (quote === ch) quote = "";
          else if (quote === "") quote = ch;
        }
      }
      if (separators.has(ch) && depth === 0 && quote === "") {
        if (options.keepSeparator) buf += ch;
        i++;
        break;
      }
      prev = ch;
      buf += ch;
    }
    if (depth > 0 || quote !== "") {
      throw new Error(`unbalanced parenthesis or quoted expression: ${JSON.stringify(buf)}`);
    }
    const token = trimChars(buf, trimSet);
    if (token !== "") tokens.push(token);
  }
  return tokens;
}

/** `text` without leading and trailing characters from `set`. */
export function trimChars(text: string, set: readonly string[] | string): string {
  const has = (c: string): boolean => set.includes(c);
  let start = 0;
  let end = text.length;
  while (start < end && has(text[start] ?? "")) start++;
  while (end > start && has(text[end - 1] ?? "")) end--;
  return text.slice(start, end);
}
