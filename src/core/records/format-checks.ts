/**
 * The email and URL format checks behind PocketBase's email and url fields (ozzo-validation's
 * `is.EmailFormat` and `is.URL`, both from govalidator), rebuilt as our own expressions.
 */

const U = "\\u00a0-\\ud7ff\\uf900-\\ufdcf\\ufdf0-\\uffef";
const ATEXT = `[a-zA-Z0-9!#$%&'*+/=?^_\`{|}~${U}-]`;
const LOCAL = `(?:${ATEXT}+(?:\\.${ATEXT}+)*|"(?:[^"\\\\\\r\\n]|\\\\.)*")`;
const LABEL = `[a-zA-Z0-9${U}](?:[a-zA-Z0-9${U}\\-.~]*[a-zA-Z0-9${U}])?`;
const TLD = `[a-zA-Z${U}](?:[a-zA-Z0-9${U}\\-.~]*[a-zA-Z${U}])?`;
const EMAIL = new RegExp(`^${LOCAL}@(?:${LABEL}\\.)+${TLD}\\.?$`);

/** Whether a string is an email address in the format PocketBase accepts (no DNS lookup). */
export function isEmailFormat(value: string): boolean {
  return EMAIL.test(value);
}

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `(?:${OCTET}(?:\\.${OCTET}){3})`;
const HOST_CHAR = "a-zA-Z0-9\\u00a1-\\uffff";
const HOST_LABEL = `[${HOST_CHAR}](?:[${HOST_CHAR}_-]*[${HOST_CHAR}])?`;
const URL_FORMAT = new RegExp(
  "^(?:(?:ftp|tcp|udp|wss?|https?)://)?" + // optional scheme
    "(?:\\S+(?::\\S*)?@)?" + // optional user info
    `(?:${IPV4}|\\[[0-9a-fA-F:.]+\\]|${HOST_LABEL}(?:\\.${HOST_LABEL})*)\\.?` + // host
    "(?::\\d{1,5})?" + // port
    "(?:[/?#]\\S*)?$", // path, query, fragment
);

/** Whether a string is a URL as PocketBase's url field accepts it (the scheme is optional). */
export function isUrlFormat(value: string): boolean {
  const runes = [...value].length;
  if (value.length <= 3 || runes >= 2083 || value.startsWith(".")) return false;
  const withScheme = value.includes(":") && !value.includes("://") ? `http://${value}` : value;
  const host = urlHost(withScheme);
  if (host.startsWith(".")) return false;
  if (host === "" && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(withScheme)) {
    const path = withScheme.split(/[?#]/)[0] ?? "";
    if (path !== "" && !path.includes(".")) return false;
  }
  return URL_FORMAT.test(value);
}

/** The host (with port) of a URL as Go's `url.Parse` reports it: "" when there is no `//authority`. */
export function urlHost(value: string): string {
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(value);
  const rest = scheme ? value.slice(scheme[0].length) : value;
  if (!rest.startsWith("//")) return "";
  const authority = rest.slice(2).split(/[/?#]/)[0] ?? "";
  const at = authority.lastIndexOf("@");
  return at >= 0 ? authority.slice(at + 1) : authority;
}
