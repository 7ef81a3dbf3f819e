import { formatFloatPlain } from "./coerce.ts";

const NUMBER_CHARS = /^[-.\d]+$/;

/**
 * How PocketBase reads one multipart/urlencoded string before the fields see it: "true"/"false"
 * become booleans, a number whose shortest form is exactly the text becomes a number ("0.0", "007",
 * "1e3" stay strings), anything else stays a string. Transports apply it to each submitted value
 * (a repeated key becomes an array of inferred values); the `@jsonPayload` key is merged separately.
 */
export function inferFormValue(raw: string): string | number | boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  const first = raw[0] ?? "";
  if ((first === "-" || (first >= "0" && first <= "9")) && NUMBER_CHARS.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n) && formatFloatPlain(n) === raw) return n;
  }
  return raw;
}
