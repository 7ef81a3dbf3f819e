import type { Collection } from "../../core/collections/collection.ts";
import { PlinthError } from "../../core/errors.ts";
import { type FilterNode, type OperandNode, parseFilter } from "../../core/filter/index.ts";

/** Collection properties a superuser may filter and sort the collections list by (PocketBase's). */
const FIELDS = [
  "id",
  "name",
  "type",
  "system",
  "created",
  "updated",
  "viewQuery",
  "listRule",
  "viewRule",
  "createRule",
  "updateRule",
  "deleteRule",
] as const;
type Scalar = string | number | boolean | null;

function property(c: Collection, name: string, pos: number): Scalar {
  if (!(FIELDS as readonly string[]).includes(name)) {
    throw new PlinthError(
      "invalid_input",
      `Invalid filter: unknown collection field "${name}" at position ${pos}.`,
    );
  }
  const value = (c as unknown as Record<string, unknown>)[name];
  return value === undefined ? "" : (value as Scalar);
}

function operand(c: Collection, node: OperandNode): Scalar {
  switch (node.kind) {
    case "text":
      return node.value;
    case "number":
      return node.value;
    case "identifier":
      if (node.name === "true") return true;
      if (node.name === "false") return false;
      if (node.name === "null") return null;
      return property(c, node.name, node.pos);
    case "function":
      throw new PlinthError(
        "invalid_input",
        `Invalid filter: functions are not supported here (position ${node.pos}).`,
      );
    default: {
      const never: never = node;
      return never;
    }
  }
}

function like(left: Scalar, right: Scalar): boolean {
  return String(left ?? "")
    .toLowerCase()
    .includes(String(right ?? "").toLowerCase());
}

function compare(op: string, a: Scalar, b: Scalar): boolean {
  const left = a ?? "";
  const right = b ?? "";
  switch (op.replace(/^\?/, "")) {
    case "=":
      return String(left) === String(right);
    case "!=":
      return String(left) !== String(right);
    case "~":
      return like(left, right);
    case "!~":
      return !like(left, right);
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    default:
      return false;
  }
}

function evaluate(c: Collection, node: FilterNode): boolean {
  switch (node.kind) {
    case "and":
      return node.items.every((n) => evaluate(c, n));
    case "or":
      return node.items.some((n) => evaluate(c, n));
    case "comparison":
      return compare(node.op, operand(c, node.left), operand(c, node.right));
    default: {
      const never: never = node;
      return never;
    }
  }
}

/** Filters collection definitions in memory (the schema is small and already cached). */
export function filterCollections(
  collections: readonly Collection[],
  filter: string | undefined,
): Collection[] {
  if (!filter?.trim()) return [...collections];
  const ast = parseFilter(filter);
  return collections.filter((c) => evaluate(c, ast));
}

/** Sorts collection definitions by `name`, `-created`, ... (comma separated). */
export function sortCollections(collections: Collection[], sort: string | undefined): Collection[] {
  if (!sort?.trim()) return collections;
  const keys = sort.split(",").map((raw) => {
    const s = raw.trim();
    const desc = s.startsWith("-");
    const name = s.replace(/^[-+]/, "");
    if (!(FIELDS as readonly string[]).includes(name))
      throw new PlinthError("invalid_input", `Invalid sort field "${name}".`);
    return { name, desc };
  });
  return collections.sort((a, b) => {
    for (const k of keys) {
      const x = String(property(a, k.name, 0) ?? "");
      const y = String(property(b, k.name, 0) ?? "");
      if (x !== y) return (x < y ? -1 : 1) * (k.desc ? -1 : 1);
    }
    return 0;
  });
}
