import { PlinthError } from "../../core/errors.ts";

const NUMBER_CHARS = /^[-.\d]+$/;

/**
 * PocketBase's reading of a plain form value: "true"/"false" become booleans, a numeric string becomes a
 * number only when the number prints back to exactly the same text ("0001", "1.50", "1e3" stay strings).
 */
export function inferFormValue(raw: string): string | number | boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "" || !NUMBER_CHARS.test(raw) || raw[0] === ".") return raw;
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  return plainDecimal(n) === raw ? n : raw;
}

/** Adds one submitted value under `key`; a repeated key turns into an array in submission order. */
export function appendFormValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    throw new PlinthError("invalid_input", "Failed to read the submitted data.");
  }
  if (!Object.hasOwn(target, key)) {
    target[key] = value;
    return;
  }
  // Form values are scalars, so an array here is one this function built for an earlier repeat.
  const existing = target[key];
  if (Array.isArray(existing)) existing.push(value);
  else target[key] = [existing, value];
}

/** Parses an `application/x-www-form-urlencoded` body into PocketBase's body map. */
export function parseUrlEncoded(text: string, maxFields: number): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  let count = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++count > maxFields) throw new PlinthError("payload_too_large", "Too many form fields.");
    appendFormValue(body, key, inferFormValue(value));
  }
  return body;
}

/** A number as Go's `FormatFloat(v, 'f', -1, 64)` prints it: shortest digits, never an exponent. */
function plainDecimal(n: number): string {
  if (Object.is(n, -0)) return "-0";
  const text = String(n);
  const e = text.indexOf("e");
  if (e === -1) return text;
  const sign = text[0] === "-" ? "-" : "";
  const mantissa = text.slice(sign.length, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const point = (dot === -1 ? mantissa.length : dot) + exponent;
  if (point <= 0) return sign + "0." + "0".repeat(-point) + digits;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return sign + digits.slice(0, point) + "." + digits.slice(point);
}
