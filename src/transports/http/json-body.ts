import { PlinthError } from "../../core/errors.ts";

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a JSON request body with bounded nesting; an empty body reads as `undefined`.
 * Rejects (400) malformed JSON (with `malformed` as the message), nesting deeper than `maxDepth` and
 * `__proto__` keys.
 */
export function parseJsonBody(
  text: string,
  maxDepth: number,
  malformed = "Failed to read the submitted data.",
): unknown {
  if (text.trim() === "") return undefined;
  if (nestingExceeds(text, maxDepth)) {
    throw new PlinthError("invalid_input", `The submitted JSON is nested deeper than ${maxDepth} levels.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PlinthError("invalid_input", malformed);
  }
  // A `__proto__` key is harmless in JSON.parse's output but turns into prototype pollution the moment
  // some later code copies it with plain assignment; every spelling of it contains one of these.
  if ((text.includes("__proto__") || text.includes("\\u")) && hasProtoKey(value)) {
    throw new PlinthError("invalid_input", malformed);
  }
  return value;
}

/** One pass over the raw text counting open containers outside strings; stops at the first excess. */
function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Iterative walk (the depth is already bounded, but a stack keeps it independent of that). */
function hasProtoKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    if (!Array.isArray(value) && Object.hasOwn(value, "__proto__")) return true;
    // A loop, not push(...): a spread of a huge array overflows the argument limit.
    for (const child of Object.values(value)) stack.push(child);
  }
  return false;
}
