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

/** Splits HTML into text, start-tag and end-tag tokens (comments and doctypes dropped), lazily, in linear time. */
function* tokenize(html: string): Generator<Token> {
  const tagName = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/y;
  let pos = 0;
  let gt = -1; // the next ">" at or after the current "<", remembered so stray "<"s stay linear
  while (pos < html.length) {
    const lt = html.indexOf("<", pos);
    if (lt < 0) {
      yield { kind: "text", text: html.slice(pos) };
      break;
    }
    if (lt > pos) yield { kind: "text", text: html.slice(pos, lt) };
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      pos = end < 0 ? html.length : end + 3;
      continue;
    }
    if (gt < lt) gt = html.indexOf(">", lt);
    if (gt < 0) {
      yield { kind: "text", text: html.slice(lt) };
      break;
    }
    tagName.lastIndex = lt;
    const head = tagName.exec(html);
    if (!head) {
      if (/^<[!?/]/.test(html.slice(lt, lt + 2))) pos = gt + 1;
      else {
        yield { kind: "text", text: "<" };
        pos = lt + 1;
      }
      continue;
    }
    // attributes run to the next ">" (a quoted ">" inside an attribute ends the tag early: rare, harmless here)
    const tag = [html.slice(lt, gt + 1), head[1], head[2], html.slice(lt + head[0].length, gt)] as const;
    const name = (tag[2] ?? "").toLowerCase();
    pos = lt + tag[0].length;
    if (tag[1] === "/") {
      yield { kind: "end", name };
      continue;
    }
    yield { kind: "start", name, selfClosing: (tag[3] ?? "").trimEnd().endsWith("/") };
    if (RAW_TEXT.has(name)) {
      const closeTag = new RegExp(`</${name}`, "gi");
      closeTag.lastIndex = pos;
      const close = closeTag.exec(html);
      const stop = close ? close.index : html.length;
      if (stop > pos) yield { kind: "text", text: html.slice(pos, stop) };
      pos = stop;
    }
  }
}

/** The visible text of HTML with PocketBase's spacing rules, stopping early once past `limitBytes`. */
function visibleText(html: string, limitBytes: number): string {
  let out = "";
  let outBytes = 0;
  let prevSpace = false;
  const stack: string[] = [];
  let skipDepth = 0; // > 0 while inside an excluded element
  const blockSpace = () => {
    if (!prevSpace) {
      out += " ";
      outBytes++;
      prevSpace = true;
    }
  };
  for (const token of tokenize(html)) {
    if (outBytes > limitBytes) break;
    if (token.kind === "text") {
      if (skipDepth > 0) continue;
      let text = decodeEntities(token.text).replace(GO_WHITESPACE, " ");
      if (prevSpace) text = text.replace(/^ +/, "");
      if (text !== "") {
        prevSpace = text.endsWith(" ");
        out += text;
        outBytes += utf8Length(text);
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
