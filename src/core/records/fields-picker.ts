/**
 * PocketBase's `fields` query parameter: a comma-separated list of (dotted) JSON paths, `*` for every
 * key at its level, each optionally with a modifier (`description:excerpt(200,true)`), applied to the
 * JSON a response would otherwise send (each item of a list response).
 */
import { PlinthError } from "../errors.ts";
import { isPlainObject, toGoBool } from "./coerce.ts";
import { excerpt } from "./excerpt.ts";

/** A value transformation named after a field path. */
export type FieldModifier = {
  readonly kind: "excerpt";
  readonly max: number;
  readonly withEllipsis: boolean;
};

/** Parsed `fields`: path → modifier (null for none). */
export type ParsedFields = ReadonlyMap<string, FieldModifier | null>;

function invalid(message: string): PlinthError {
  return new PlinthError("invalid_input", message);
}

/**
 * Splits on separators outside quotes (and outside parentheses unless `ignoreParens`), trimming each
 * token and dropping empty ones, as PocketBase's tokenizer does.
 */
function tokenize(text: string, separators: string, ignoreParens: boolean): string[] {
  const tokens: string[] = [];
  let buf = "";
  let depth = 0;
  let quote = "";
  let prev = "";
  const flush = () => {
    const token = buf.replace(/^[\t\n\v\f\r \u0085\u00a0]+|[\t\n\v\f\r \u0085\u00a0]+$/g, "");
    if (token !== "") tokens.push(token);
    buf = "";
  };
  for (const ch of text) {
    if (prev !== "\\") {
      if (!ignoreParens && ch === "(" && quote === "") depth++;
      else if (!ignoreParens && ch === ")" && depth > 0 && quote === "") depth--;
      else if (ch === "'" || ch === '"' || ch === "`") {
        if (quote === ch) quote = "";
        else if (quote === "") quote = ch;
      }
    }
    if (separators.includes(ch) && depth === 0 && quote === "") {
      flush();
      prev = ch;
      continue;
    }
    prev = ch;
    buf += ch;
  }
  if (depth > 0 || quote !== "")
    throw invalid(`Unbalanced parenthesis or quoted expression: ${JSON.stringify(buf)}.`);
  flush();
  return tokens;
}

/** Go's `cast.ToInt` on a modifier argument: decimals truncated, anything unparseable is 0. */
function toGoInt(text: string): number {
  const m = /^([+-]?\d*)(?:\.\d*)?$/.exec(text);
  if (!m) return 0;
  const n = Number(m[1] === "" || m[1] === "+" || m[1] === "-" ? "0" : m[1]);
  return Number.isSafeInteger(n) ? n : 0;
}

function parseModifier(expression: string): FieldModifier {
  const parts = tokenize(expression, "(), ", true);
  const [name, ...args] = parts;
  if (name === undefined)
    throw invalid(`Invalid or empty modifier expression ${JSON.stringify(expression)}.`);
  if (name !== "excerpt") throw invalid(`Missing or invalid modifier ${JSON.stringify(name)}.`);
  if (args.length === 0) throw invalid("Max argument is required - expected (max, withEllipsis?).");
  if (args.length > 2) throw invalid("Too many arguments - expected (max, withEllipsis?).");
  const max = toGoInt(args[0] ?? "");
  if (max <= 0) throw invalid("Max argument must be > 0.");
  return { kind: "excerpt", max, withEllipsis: args[1] === undefined ? false : toGoBool(args[1]) };
}

/** Parses a `fields` parameter; throws `invalid_input` for unbalanced text or a bad modifier. */
export function parseFieldsParam(text: string): ParsedFields {
  const out = new Map<string, FieldModifier | null>();
  for (const token of tokenize(text, ",", false)) {
    const trimmed = token.trim();
    const colon = trimmed.indexOf(":");
    if (colon < 0) out.set(trimmed, null);
    else out.set(trimmed.slice(0, colon), parseModifier(trimmed.slice(colon + 1)));
  }
  return out;
}

function applyModifier(modifier: FieldModifier, value: unknown): unknown {
  switch (modifier.kind) {
    case "excerpt":
      return typeof value === "string" ? excerpt(value, modifier.max, modifier.withEllipsis) : value;
    default: {
      const never: never = modifier.kind;
      throw new Error(`unknown field modifier ${String(never)}`);
    }
  }
}

/** Whether path `field` selects key `key` or something inside it. */
function selects(field: string, key: string): boolean {
  return `${field}.`.startsWith(`${key}.`);
}

function pickObject(data: Readonly<Record<string, unknown>>, fields: ParsedFields): Record<string, unknown> {
  if (fields.size === 0) return { ...data };
  const all = new Map(fields);
  if (all.has("*")) {
    const star = all.get("*") ?? null;
    for (const key of Object.keys(data)) {
      if (![...fields.keys()].some((f) => selects(f, key))) all.set(key, star);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const matching = [...all].filter(([f]) => selects(f, key));
    if (matching.length === 0) continue;
    const exact = matching.find(([f]) => f === key);
    if (exact) {
      out[key] = exact[1] ? applyModifier(exact[1], value) : value;
      continue;
    }
    const nested = new Map(matching.map(([f, m]) => [f.slice(key.length + 1), m] as const));
    out[key] = pickValue(value, nested);
  }
  return out;
}

function pickValue(value: unknown, fields: ParsedFields): unknown {
  if (isPlainObject(value)) return pickObject(value, fields);
  if (Array.isArray(value) && value.length > 0 && isPlainObject(value[0])) {
    return value.map((item) => (isPlainObject(item) ? pickObject(item, fields) : item));
  }
  return value;
}

/**
 * Keeps only the selected paths of a JSON object (or of each object of an array), applying modifiers;
 * the input is not changed. Values that are not objects are returned as they are.
 */
export function pickFields<T>(json: T, fields: ParsedFields): T {
  return pickValue(json, fields) as T;
}
