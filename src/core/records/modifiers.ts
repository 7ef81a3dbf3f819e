/**
 * PocketBase's submitted-data modifiers: `field+` / `field-` add to or subtract from a number,
 * `+field` / `field+` prepend or append to a select, relation or file list, `field-` removes from it,
 * and `field:autogenerate` appends a value generated from a text field's autogeneratePattern.
 */
import type { Collection } from "../collections/collection.ts";
import type { Field } from "../collections/field.ts";
import type { RandomChar } from "./autogenerate.ts";
import { generateFromPattern } from "./autogenerate.ts";
import { subtractSlice, toGoFloat, toGoString, toUniqueStringSlice } from "./coerce.ts";
import { prepareValue, toFileNames } from "./prepare-value.ts";
import { zeroValue } from "./zero-value.ts";

/** What a submitted key does to which field. */
export type KeyAction =
  | { readonly kind: "set"; readonly field: Field }
  | { readonly kind: "ignore"; readonly field: Field }
  | { readonly kind: "add"; readonly field: Field }
  | { readonly kind: "subtract"; readonly field: Field }
  | { readonly kind: "append"; readonly field: Field }
  | { readonly kind: "prepend"; readonly field: Field }
  | { readonly kind: "autogenerate"; readonly field: Field };

/** The action a field takes for a key, or null when the key is not its name or one of its modifiers. */
function actionFor(field: Field, key: string): KeyAction | null {
  const name = field.name;
  switch (field.type) {
    case "number":
      if (key === `${name}+`) return { kind: "add", field };
      if (key === `${name}-`) return { kind: "subtract", field };
      break;
    case "select":
    case "relation":
    case "file":
      if (key === `+${name}`) return { kind: "prepend", field };
      if (key === `${name}+`) return { kind: "append", field };
      if (key === `${name}-`) return { kind: "subtract", field };
      break;
    case "text":
      if (key === `${name}:autogenerate`) return { kind: "autogenerate", field };
      break;
    case "autodate":
      // PocketBase's autodate setter is a no-op: clients cannot set these values
      if (key === name) return { kind: "ignore", field };
      break;
    default:
      break;
  }
  return key === name ? { kind: "set", field } : null;
}

/** Finds which field (in definition order) a submitted key targets and how; null for unknown keys. */
export function resolveKey(collection: Collection, key: string): KeyAction | null {
  for (const field of collection.fields) {
    const action = actionFor(field, key);
    if (action) return action;
  }
  return null;
}

function listOf(field: Field, value: unknown): string[] {
  return field.type === "file" ? toFileNames(value) : toUniqueStringSlice(value);
}

function applyAction(
  action: KeyAction,
  current: unknown,
  raw: unknown,
  random: RandomChar | undefined,
): unknown {
  const { field } = action;
  switch (action.kind) {
    case "set":
      return prepareValue(field, raw);
    case "ignore":
      return current;
    case "add":
      return toGoFloat(current) + toGoFloat(raw);
    case "subtract":
      if (field.type === "number") return toGoFloat(current) - toGoFloat(raw);
      return prepareValue(field, subtractSlice(listOf(field, current), listOf(field, raw)));
    case "append":
      return prepareValue(field, [...listOf(field, current), ...listOf(field, raw)]);
    case "prepend":
      return prepareValue(field, [...listOf(field, raw), ...listOf(field, current)]);
    case "autogenerate": {
      const pattern = field.type === "text" ? field.autogeneratePattern : "";
      const suffix = pattern !== "" && random ? generateFromPattern(pattern, random) : "";
      return toGoString(raw) + suffix;
    }
    default: {
      const never: never = action;
      throw new Error(`unknown key action ${JSON.stringify(never)}`);
    }
  }
}

/** Options for {@link applyModifiers}. */
export interface ApplyModifiersOptions {
  /** Randomness for `field:autogenerate`; without it the key sets the submitted text as is. */
  readonly randomChar?: RandomChar;
}

/**
 * Resolves submitted data against the record's current values (zero values for a new record) into
 * plain field values, as PocketBase's `ReplaceModifiers`: keys that name a field or one of its
 * modifiers yield the field's resulting prepared value under the field's name; other keys are left
 * out. Shorter keys apply first (ties keep submission order), each modifier building on the previous
 * result, so `{n: 1, "n+": 2}` gives `{n: 3}`.
 */
export function applyModifiers(
  collection: Collection,
  input: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
  options: ApplyModifiersOptions = {},
): Record<string, unknown> {
  const working = new Map<string, unknown>();
  const latest = (field: Field): unknown =>
    working.has(field.name) ? working.get(field.name) : (current[field.name] ?? zeroValue(field));
  const keys = Object.keys(input).sort((a, b) => a.length - b.length);
  for (const key of keys) {
    const action = resolveKey(collection, key);
    if (!action) continue;
    working.set(action.field.name, applyAction(action, latest(action.field), input[key], options.randomChar));
  }
  return Object.fromEntries(working);
}
