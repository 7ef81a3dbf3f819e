/**
 * Loose conversions with the semantics PocketBase gets from Go's `spf13/cast` and `list` helpers,
 * so a value submitted as JSON or as a multipart string ends up the same as on PocketBase.
 */

/** Whether a value is a plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Formats a number as Go's `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest decimal that
 * round-trips, never in exponent notation.
 */
export function formatFloatPlain(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Object.is(n, -0)) return "-0";
  const text = String(n);
  const e = text.indexOf("e");
  if (e < 0) return text;
  // Expand JS exponent notation (|n| >= 1e21 or < 1e-6) into plain digits.
  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const [intPart = "", fracPart = ""] = mantissa.split(".");
  const digits = intPart + fracPart;
  const point = intPart.length + exponent;
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.slice(0, point) + "." + digits.slice(point);
  return (negative ? "-" : "") + out;
}

/** Go's `cast.ToString`: scalars are stringified, null is "", anything else (arrays, objects) is "". */
export function toGoString(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatFloatPlain(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    default:
      return "";
  }
}

/** Go's `strconv.ParseBool`: the only spellings it accepts, anything else is an error (null here). */
function parseGoBool(text: string): boolean | null {
  switch (text) {
    case "1":
    case "t":
    case "T":
    case "TRUE":
    case "true":
    case "True":
      return true;
    case "0":
    case "f":
    case "F":
    case "FALSE":
    case "false":
    case "False":
      return false;
    default:
      return null;
  }
}

/** Go's `cast.ToBool`: numbers are true when non-zero, strings as `strconv.ParseBool`, anything else false. */
export function toGoBool(value: unknown): boolean {
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      return value !== 0;
    case "string":
      return parseGoBool(value) ?? false;
    default:
      return false;
  }
}

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity)$/i;

/**
 * Go's `strconv.ParseFloat(s, 64)`, or null when Go reports an error (syntax, or overflow to ±Inf).
 * Hexadecimal floats and digit underscores are not supported (rare in form input).
 */
export function parseGoFloat(text: string): number | null {
  if (DECIMAL_FLOAT.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : null;
  }
  const special = SPECIAL_FLOAT.exec(text);
  if (special) return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  return null;
}

/** Go's `cast.ToFloat64`: numbers as they are, booleans 1/0, strings parsed (invalid → 0), anything else 0. */
export function toGoFloat(value: unknown): number {
  switch (typeof value) {
    case "number":
      return value;
    case "boolean":
      return value ? 1 : 0;
    case "string":
      return value === "" ? 0 : (parseGoFloat(value) ?? 0);
    default:
      return 0;
  }
}

/** Go's `cast.ToStringSlice` for a non-string value: each array item stringified; any non-scalar item voids all. */
function toGoStringSlice(value: unknown): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      if (item !== null && item !== undefined && typeof item === "object") return [];
      out.push(toGoString(item));
    }
    return out;
  }
  if (value === null || value === undefined || typeof value === "object") return [];
  return [toGoString(value)];
}

/** A JSON array of strings (nulls read as ""), or null when `text` is not exactly that. */
function parseStringArray(text: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) return null;
  const out: string[] = [];
  for (const item of parsed) {
    if (item === null) out.push("");
    else if (typeof item === "string") out.push(item);
    else return null;
  }
  return out;
}

/** Drops empty strings and repeats, keeping first occurrences in order (Go's `list.NonzeroUniques`). */
export function nonzeroUniques(items: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    if (item === "" || seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

/**
 * Go's `list.ToUniqueStringSlice`: a string is one item unless it contains "[" and parses as a JSON
 * array of strings; arrays are stringified item by item; empty and repeated items are dropped.
 */
export function toUniqueStringSlice(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") {
    if (value === "") return [];
    if (value.includes("[")) {
      const parsed = parseStringArray(value);
      return nonzeroUniques(parsed ?? [value]);
    }
    return [value];
  }
  return nonzeroUniques(toGoStringSlice(value));
}

/** Items of `base` not in `remove` (Go's `list.SubtractSlice`). */
export function subtractSlice(base: readonly string[], remove: readonly string[]): string[] {
  const drop = new Set(remove);
  return base.filter((item) => !drop.has(item));
}

/** UTF-8 byte length of a string (Go's `len(string)`). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Number of Unicode code points (Go's `len([]rune(s))`). */
export function runeLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
