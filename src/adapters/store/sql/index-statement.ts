import { parseIndex } from "../../../core/collections/index-definition.ts";

/**
 * Rebuilds a collection's index definition as SQL from its parsed parts, with identifiers re-quoted,
 * so the stored text never reaches the database verbatim. The table is always the collection's own.
 */
export function indexStatement(definition: string, table: string, quote: (name: string) => string): string {
  const index = parseIndex(definition);
  if (index === null || index.name === "" || index.columns.length === 0) {
    throw new Error(`invalid index definition: ${definition}`);
  }
  const cols = index.columns
    .map((c) => `${quote(c.name)}${c.collate ? ` COLLATE ${c.collate}` : ""}${c.sort ? ` ${c.sort}` : ""}`)
    .join(", ");
  const where = index.where ? ` WHERE ${index.where}` : "";
  return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${quote(index.name)} ON ${quote(table)} (${cols})${where}`;
}
