import type { FieldError } from "../../core/errors.ts";

/**
 * PocketBase's settings validation codes and messages (from the validation library it uses).
 * They are kept here, not in FIELD_CODES, because only settings use them; move them to core if another
 * service needs one.
 */
export const SETTINGS_CODES = {
  required: "validation_required",
  lengthOutOfRange: "validation_length_out_of_range",
  lengthInvalid: "validation_length_invalid",
  lengthTooLong: "validation_length_too_long",
  min: "validation_min_greater_equal_than_required",
  max: "validation_max_less_equal_than_required",
  in: "validation_in_invalid",
  match: "validation_match_invalid",
  url: "validation_is_url",
  email: "validation_is_email",
  host: "validation_is_host",
  hexColor: "validation_is_hex_color",
  // PocketBase's own spelling; clients match on it.
  ipOrSubnet: "validation_invlaid_ip_or_subnet",
  cron: "validation_invalid_cron",
  rateLimitConflict: "validation_conflicting_rate_limit_rule",
} as const;

/** A field error that may carry the rule's parameters, as PocketBase's `params`. */
export interface ParamFieldError extends FieldError {
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Builds a field error, with `params` only when given. */
export function fieldIssue(code: string, message: string, params?: Record<string, unknown>): ParamFieldError {
  return params === undefined ? { code, message } : { code, message, params };
}

/** "Blank" as PocketBase's validator reads it: "", 0, false and empty arrays. */
export function isBlank(value: unknown): boolean {
  return (
    value === "" ||
    value === 0 ||
    value === false ||
    value === null ||
    value === undefined ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** The `Required` rule. */
export function required(value: unknown): ParamFieldError | undefined {
  return isBlank(value) ? fieldIssue(SETTINGS_CODES.required, "Cannot be blank.") : undefined;
}

/** The `Length(min, max)` rule for strings (counted in code points; empty strings pass). */
export function length(value: string, min: number, max: number): ParamFieldError | undefined {
  if (value === "") return undefined;
  const n = [...value].length;
  if (n >= min && n <= max) return undefined;
  const params = { min, max };
  if (min === max)
    return fieldIssue(SETTINGS_CODES.lengthInvalid, `The length must be exactly ${min}.`, params);
  if (min === 0)
    return fieldIssue(SETTINGS_CODES.lengthTooLong, `The length must be no more than ${max}.`, params);
  return fieldIssue(SETTINGS_CODES.lengthOutOfRange, `The length must be between ${min} and ${max}.`, params);
}

/** The `Min(threshold)` rule; like PocketBase's, it skips 0 (a blank value). */
export function min(value: number, threshold: number): ParamFieldError | undefined {
  if (value === 0 || value >= threshold) return undefined;
  return fieldIssue(SETTINGS_CODES.min, `Must be no less than ${threshold}.`, { threshold });
}

/** The `Max(threshold)` rule. */
export function max(value: number, threshold: number): ParamFieldError | undefined {
  if (value <= threshold) return undefined;
  return fieldIssue(SETTINGS_CODES.max, `Must be no greater than ${threshold}.`, { threshold });
}

/** The `In(...)` rule; empty strings pass. */
export function oneOf(value: string, allowed: readonly string[]): ParamFieldError | undefined {
  if (value === "" || allowed.includes(value)) return undefined;
  return fieldIssue(SETTINGS_CODES.in, "Must be a valid value.");
}

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;

/** A dotted-quad IPv4 address without leading zeros. */
export function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => IPV4_PART.test(p) && Number(p) <= 255);
}

/** An IPv6 address (optionally ending in a dotted IPv4 part); zones are handled by the caller. */
export function isIPv6(value: string): boolean {
  const halves = value.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string): string[] | null => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return false;
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes(".")) {
      if (!isIPv4(g)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** An IP address (IPv6 may carry a `%zone`). */
export function isIP(value: string): boolean {
  if (isIPv4(value)) return true;
  const zone = value.indexOf("%");
  if (zone === -1) return isIPv6(value);
  return zone < value.length - 1 && isIPv6(value.slice(0, zone));
}

/** An IP address or a CIDR subnet (`10.0.0.0/8`, `fd00::/8`). */
export function isIPOrSubnet(value: string): boolean {
  if (isIP(value)) return true;
  const slash = value.indexOf("/");
  if (slash === -1) return false;
  const addr = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  if (isIPv4(addr)) return Number(bits) <= 32;
  return isIPv6(addr) && Number(bits) <= 128;
}

const DNS_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62}(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;

/** A DNS name or an IP address (PocketBase's `is.Host`). */
export function isHost(value: string): boolean {
  if (isIP(value)) return true;
  return value.length <= 255 && DNS_NAME.test(value);
}

const URL_SCHEMES = new Set(["http:", "https:", "ftp:", "tcp:", "udp:", "ws:", "wss:"]);

/** A web URL with a host; the scheme may be omitted (`example.com/path`), as PocketBase's `is.URL` accepts. */
export function isUrl(value: string): boolean {
  if (value.length <= 3 || value.length >= 2083 || value.startsWith(".") || /\s/.test(value)) return false;
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return false;
  }
  if (!URL_SCHEMES.has(url.protocol)) return false;
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return host !== "" && isHost(host);
}

/** An email address in the usual `local@domain` form. */
export function isEmail(value: string): boolean {
  if (value.length < 3 || value.length > 254) return false;
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || /[\s@"(),:;<>[\\\]]/.test(local) || local.startsWith(".") || local.endsWith("."))
    return false;
  if (domain.startsWith("[") && domain.endsWith("]")) return isIP(domain.slice(1, -1));
  return DNS_NAME.test(domain) && !domain.endsWith(".") && !domain.endsWith("_");
}

/** A `#rgb` or `#rrggbb` colour. */
export function isHexColor(value: string): boolean {
  return /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value);
}
