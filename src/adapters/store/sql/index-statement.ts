import { isIndexExpression, parseIndex } from "../../../core/collections/index.ts";

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
    .map((c) => {
      if (c.collate && !/^[A-Za-z_]+$/.test(c.collate))
        throw new Error(`invalid collation in index: ${c.collate}`);
      const sort = c.sort && /^(ASC|DESC)$/i.test(c.sort) ? ` ${c.sort.toUpperCase()}` : "";
      // expression columns (e.g. lower(title)) were checked by collection validation and stay as written
      const column = isIndexExpression(c) ? c.name : quote(c.name);
      return `${column}${c.collate ? ` COLLATE ${c.collate}` : ""}${sort}`;
    })
    .join(", ");
  const where = index.where ? ` WHERE ${index.where}` : "";
  return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${quote(index.name)} ON ${quote(table)} (${cols})${where}`;
}
