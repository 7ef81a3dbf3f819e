/** PocketBase's (ozzo-validation's) rule errors: same codes, messages as its API prints them. */
import type { FieldError } from "../errors.ts";

/** A rule result: an error or null. */
export type RuleResult = FieldError | null;

const err = (code: string, message: string): FieldError => ({ code, message });

/** Largest integer JSON numbers carry exactly (2^53 - 1). */
export const MAX_SAFE_JSON_INT = Number.MAX_SAFE_INTEGER;

/** "Cannot be blank." unless the value is non-empty. */
export function required(value: unknown): RuleResult {
  const empty =
    value === null ||
    value === undefined ||
    value === "" ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0);
  return empty ? err("validation_required", "Cannot be blank.") : null;
}

/** "Must be blank." unless the value is empty (ozzo's Empty). */
export function empty(value: unknown): RuleResult {
  return required(value) === null ? err("validation_empty", "Must be blank.") : null;
}

/** Rune-length bounds; empty strings pass (use {@link required}). A bound of 0 means none. */
export function length(value: string, min: number, max: number): RuleResult {
  if (value === "") return null;
  const n = Array.from(value).length;
  if ((min === 0 || n >= min) && (max === 0 || n <= max)) return null;
  if (min === max) return err("validation_length_invalid", `The length must be exactly ${min}.`);
  if (min === 0) return err("validation_length_too_long", `The length must be no more than ${max}.`);
  if (max === 0) return err("validation_length_too_short", `The length must be no less than ${min}.`);
  return err("validation_length_out_of_range", `The length must be between ${min} and ${max}.`);
}

/** Format check; empty strings pass. */
export function match(value: string, re: RegExp): RuleResult {
  return value === "" || re.test(value)
    ? null
    : err("validation_match_invalid", "Must be in a valid format.");
}

/** Lower bound; zero values pass, as ozzo's Min skips empty values. */
export function min(value: number, threshold: number): RuleResult {
  return value === 0 || value >= threshold
    ? null
    : err("validation_min_greater_equal_than_required", `Must be no less than ${threshold}.`);
}

/** Upper bound; zero values pass. */
export function max(value: number, threshold: number): RuleResult {
  return value === 0 || value <= threshold
    ? null
    : err("validation_max_less_equal_than_required", `Must be no greater than ${threshold}.`);
}

/** Membership. */
export function oneOf(
  value: string,
  allowed: readonly string[],
  message = "Must be a valid value.",
): RuleResult {
  return value === "" || allowed.includes(value) ? null : err("validation_in_invalid", message);
}

/** Exclusion. */
export function notIn(value: string, denied: readonly string[]): RuleResult {
  return denied.includes(value) ? err("validation_not_in_invalid", "Must not be in list.") : null;
}

/** A valid (JavaScript) regular expression; empty passes. */
export function isRegex(value: string): RuleResult {
  if (value === "") return null;
  try {
    new RegExp(value);
    return null;
  } catch (e) {
    return err("validation_invalid_regex", sentence((e as Error).message));
  }
}

const DOMAIN_RE = /^(?=.{1,255}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/** A domain name, as ozzo's is.Domain. */
export function isDomain(value: string): RuleResult {
  return value === "" || DOMAIN_RE.test(value)
    ? null
    : err("validation_is_domain", "Must be a valid domain.");
}

/** An absolute http(s)-style URL; empty passes. */
export function isUrl(value: string): RuleResult {
  if (value === "") return null;
  try {
    const u = new URL(value);
    return u.hostname === "" ? err("validation_is_url", "Must be a valid URL.") : null;
  } catch {
    return err("validation_is_url", "Must be a valid URL.");
  }
}

/** The first non-null result of the rules (ozzo stops at the first failing rule of a field). */
export function first(...results: readonly (() => RuleResult)[]): RuleResult {
  for (const r of results) {
    const out = r();
    if (out !== null) return out;
  }
  return null;
}

/** Capitalized and ending with a period, as PocketBase prints error messages. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === "") return t;
  const cap = t[0]?.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(cap) ? cap : `${cap}.`;
}
