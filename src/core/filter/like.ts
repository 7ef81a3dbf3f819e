/** PocketBase's `~` pattern handling: wrap in `%…%` unless the text already has an unescaped `%`. */

/** Whether `ch` occurs in `s` without a preceding (unescaped) backslash. */
export function containsUnescapedChar(s: string, ch: string): boolean {
  let prev = "";
  for (const c of s) {
    if (c === ch && prev !== "\\") return true;
    prev = c === "\\" && prev === "\\" ? "" : c;
  }
  return false;
}

/** Backslash-escapes each of `chars` in `s` unless it is already preceded by a backslash. */
export function escapeUnescapedChars(s: string, chars: readonly string[]): string {
  const rs = [...s];
  const out: string[] = [];
  let match = false;
  for (let i = rs.length - 1; i >= 0; i--) {
    const c = rs[i]!;
    if (match) {
      if (c !== "\\") out.push("\\");
      match = false;
    } else if (chars.includes(c)) {
      match = true;
    }
    out.push(c);
    if (i === 0 && match) out.push("\\");
  }
  return out.reverse().join("");
}

/** The LIKE pattern PocketBase binds for a `~` right-hand value. */
export function likePattern(value: unknown): string {
  const s = castToString(value);
  if (containsUnescapedChar(s, "%")) return s;
  return `%${escapeUnescapedChars(s, ["\\", "%", "_"])}%`;
}

/** Go's cast.ToString for the value kinds a filter can bind ("" for anything it can't convert). */
export function castToString(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}
