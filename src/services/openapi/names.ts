/** Names derived from collection names: component keys, TypeScript identifiers, operation ids. */
import type { Collection } from "../../core/collections/collection.ts";

/**
 * Suffixes appended to a collection's type name for its components. None is a suffix of another, and no
 * shared component name ends with one, so per-collection keys never collide with each other or with them.
 */
export const COMPONENT_SUFFIXES = [
  "Record",
  "Create",
  "Update",
  "CreateMultipart",
  "UpdateMultipart",
  "List",
  "AuthResponse",
] as const;

/** `my_posts` → `MyPosts`; `_superusers` → `Superusers`; a leading digit gets a `_` so the result is an identifier. */
export function pascalCase(name: string): string {
  const joined = name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
  if (joined === "") return "Collection";
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/**
 * The type name of every collection, keyed by collection id: its PascalCase name, or — when two
 * collections would share one (`my_posts` and `myPosts`) — that name plus `_<id>` for each of them,
 * so the result depends only on the colliding collections, never on their order.
 */
export function assignTypeNames(collections: readonly Collection[]): Map<string, string> {
  const byBase = new Map<string, Collection[]>();
  for (const c of collections) {
    const base = pascalCase(c.name);
    byBase.set(base, [...(byBase.get(base) ?? []), c]);
  }
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const [base, group] of byBase) {
    if (group.length === 1) {
      names.set(group[0]!.id, base);
      taken.add(base);
    }
  }
  for (const [base, group] of byBase) {
    if (group.length === 1) continue;
    for (const c of [...group].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      let name = `${base}_${c.id.replace(/[^A-Za-z0-9_]/g, "_")}`;
      // ids are unique, but sanitizing could in theory merge two of them
      for (let n = 2; taken.has(name); n++) name = `${base}_${c.id.replace(/[^A-Za-z0-9_]/g, "_")}_${n}`;
      names.set(c.id, name);
      taken.add(name);
    }
  }
  return names;
}

/** Collections in a stable order (by name, case-insensitively, as names are unique that way). */
export function sortCollections(collections: readonly Collection[]): Collection[] {
  return [...collections].sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A TypeScript property key: the name itself when it is an identifier, otherwise a quoted string. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}
