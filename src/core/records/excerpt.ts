/**
 * Plain-text excerpts of HTML, as PocketBase's `:excerpt(max, withEllipsis?)` fields modifier makes
 * them: tags stripped, non-content elements (scripts, media, forms...) dropped, block elements
 * separated by a space, whitespace collapsed, cut to `max` characters.
 */
import { utf8Length } from "./coerce.ts";

const EXCLUDED = new Set([
  "head",
  "style",
  "script",
  "iframe",
  "embed",
  "applet",
  "object",
  "svg",
  "img",
  "picture",
  "dialog",
  "template",
  "button",
  "form",
  "textarea",
  "input",
  "select",
  "option",
]);
const INLINE = new Set([
  "a",
  "abbr",
  "acronym",
  "b",
  "bdo",
  "big",
  "br",
  "button",
  "cite",
  "code",
  "em",
  "i",
  "label",
  "q",
  "small",
  "span",
  "strong",
  "strike",
  "sub",
  "sup",
  "time",
]);
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
/** Elements whose content is raw text up to their end tag. */
const RAW_TEXT = new Set(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]);
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  laquo: "«",
  raquo: "»",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
};
/** Go's `\s`: ASCII whitespace only (a no-break space is kept). */
const GO_WHITESPACE = /[\t\n\f\r ]+/g;

/** Decodes character references in HTML text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z]+);?/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code =
        ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

type Token =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "start"; readonly name: string; readonly selfClosing: boolean }
  | { readonly kind: "end"; readonly name: string };

/** Splits HTML into text, start-tag and end-tag tokens (comments and doctypes dropped). */
function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < html.length) {
    const lt = html.indexOf("<", pos);
    if (lt < 0) {
      tokens.push({ kind: "text", text: html.slice(pos) });
      break;
    }
    if (lt > pos) tokens.push({ kind: "text", text: html.slice(pos, lt) });
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      pos = end < 0 ? html.length : end + 3;
      continue;
    }
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(html.slice(lt));
    if (!tag) {
      if (/^<[!?/]/.test(html.slice(lt, lt + 2))) {
        const end = html.indexOf(">", lt);
        pos = end < 0 ? html.length : end + 1;
      } else {
        tokens.push({ kind: "text", text: "<" });
        pos = lt + 1;
      }
      continue;
    }
    const name = (tag[2] ?? "").toLowerCase();
    pos = lt + tag[0].length;
    if (tag[1] === "/") {
      tokens.push({ kind: "end", name });
      continue;
    }
    tokens.push({ kind: "start", name, selfClosing: (tag[3] ?? "").trimEnd().endsWith("/") });
    if (RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, pos);
      const stop = close < 0 ? html.length : close;
      if (stop > pos) tokens.push({ kind: "text", text: html.slice(pos, stop) });
      pos = stop;
    }
  }
  return tokens;
}

/** The visible text of HTML with PocketBase's spacing rules, stopping early once past `limitBytes`. */
function visibleText(html: string, limitBytes: number): string {
  let out = "";
  let prevSpace = false;
  const stack: string[] = [];
  let skipDepth = 0; // > 0 while inside an excluded element
  const blockSpace = () => {
    if (!prevSpace) {
      out += " ";
      prevSpace = true;
    }
  };
  for (const token of tokenize(html)) {
    if (utf8Length(out) > limitBytes) break;
    if (token.kind === "text") {
      if (skipDepth > 0) continue;
      let text = decodeEntities(token.text).replace(GO_WHITESPACE, " ");
      if (prevSpace) text = text.replace(/^ +/, "");
      if (text !== "") {
        prevSpace = text.endsWith(" ");
        out += text;
      }
      continue;
    }
    if (token.kind === "start") {
      const isVoid = VOID.has(token.name) || token.selfClosing;
      if (skipDepth > 0 || EXCLUDED.has(token.name)) {
        if (!isVoid) {
          stack.push(token.name);
          skipDepth++;
        }
        continue;
      }
      const isBlock = !INLINE.has(token.name);
      if (isBlock) blockSpace();
      if (isVoid) {
        if (isBlock) blockSpace();
        continue;
      }
      stack.push(token.name);
      continue;
    }
    const at = stack.lastIndexOf(token.name);
    if (at < 0) continue; // stray end tag
    while (stack.length > at) {
      const name = stack.pop() ?? "";
      if (skipDepth > 0) skipDepth--;
      else if (!INLINE.has(name)) blockSpace();
    }
  }
  return out;
}

/** A plain-text excerpt of `html` of at most `max` characters, with "..." when cut and `withEllipsis`. */
export function excerpt(html: string, max: number, withEllipsis: boolean): string {
  let result = visibleText(html, max + 2).trim();
  const runes = [...result];
  if (runes.length > max) {
    result = runes.slice(0, max).join("").trim();
    if (withEllipsis) result += "...";
  }
  return result;
}
