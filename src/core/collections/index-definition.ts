/** Parses and rebuilds PocketBase index definitions (`CREATE [UNIQUE] INDEX ...` strings). */
import { splitTokens, trimChars } from "./sql-tokenizer.ts";

/** One indexed column or expression. */
export interface IndexColumn {
  /** Identifier or expression. */
  readonly name: string;
  /** Collation name, "" when none. */
  readonly collate: string;
  /** "ASC", "DESC" or "". */
  readonly sort: string;
}

/** A parsed `CREATE INDEX` statement. */
export interface IndexDefinition {
  readonly unique: boolean;
  /** `IF NOT EXISTS` was given. */
  readonly optional: boolean;
  /** Schema prefix of the index name, "" when none. */
  readonly schema: string;
  readonly name: string;
  readonly table: string;
  readonly columns: readonly IndexColumn[];
  /** Partial index condition, "" when none. */
  readonly where: string;
}

// Same shape as PocketBase's: the column list is greedy up to the last ")" before an optional WHERE.
const INDEX_RE =
  /create\s+(unique\s+)?\s*index\s*(if\s+not\s+exists\s+)?(\S*)\s+on\s+(\S*)\s*\(([\s\S]*)\)(?:\s*where\s+([\s\S]*))?/im;
const COLUMN_RE = /^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$/im;
const IDENT_TRIM = "`\"'[]\r\n\t\f\v ";

/** Parses an index definition; null when it isn't a `CREATE INDEX` statement at all. */
export function parseIndex(sql: string): IndexDefinition | null {
  const m = INDEX_RE.exec(sql);
  if (m === null) return null;
  let nameParts: string[];
  let rawColumns: string[];
  try {
    nameParts = splitTokens(m[3] ?? "", { separators: ["."] });
    rawColumns = splitTokens(m[5] ?? "", { separators: [","] });
  } catch {
    return null;
  }
  const columns: IndexColumn[] = [];
  for (const raw of rawColumns) {
    const cm = COLUMN_RE.exec(raw);
    if (cm === null) continue;
    const name = trimChars(cm[1] ?? "", IDENT_TRIM);
    if (name === "") continue;
    columns.push({ name, collate: (cm[2] ?? "").trim(), sort: (cm[3] ?? "").toUpperCase() });
  }
  const two = nameParts.length === 2;
  return {
    unique: (m[1] ?? "").trim() !== "",
    optional: (m[2] ?? "").trim() !== "",
    schema: two ? trimChars(nameParts[0] ?? "", IDENT_TRIM) : "",
    name: trimChars((two ? nameParts[1] : nameParts[0]) ?? "", IDENT_TRIM),
    table: trimChars(m[4] ?? "", IDENT_TRIM),
    columns,
    where: (m[6] ?? "").trim(),
  };
}

/** Whether a parsed index has the parts a statement needs (name, table, at least one column). */
export function isValidIndex(index: IndexDefinition | null): index is IndexDefinition {
  return index !== null && index.name !== "" && index.table !== "" && index.columns.length > 0;
}

/** Whether a column entry is an expression rather than a plain identifier (PocketBase's heuristic). */
export function isIndexExpression(column: IndexColumn): boolean {
  return column.name.includes("(") || column.name.includes(" ");
}

/** Serializes an index the way PocketBase does; "" when the index is not valid. */
export function buildIndex(index: IndexDefinition): string {
  if (!isValidIndex(index)) return "";
  let out = `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${index.optional ? "IF NOT EXISTS " : ""}`;
  if (index.schema !== "") out += `\`${index.schema}\`.`;
  out += `\`${index.name}\` ON \`${index.table}\` (`;
  const multi = index.columns.length > 1;
  if (multi) out += "\n  ";
  let hasCol = false;
  for (const col of index.columns) {
    const name = col.name.trim();
    if (name === "") continue;
    if (hasCol) out += ",\n  ";
    out += isIndexExpression(col) ? name : `\`${name}\``;
    if (col.collate !== "") out += ` COLLATE ${col.collate}`;
    if (col.sort !== "") out += ` ${col.sort.toUpperCase()}`;
    hasCol = true;
  }
  if (hasCol && multi) out += "\n";
  out += ")";
  if (index.where !== "") out += ` WHERE ${index.where}`;
  return out;
}

/** The first unique index over exactly this one column (case-insensitive), WHERE clauses ignored. */
export function findSingleColumnUniqueIndex(
  indexes: readonly string[],
  column: string,
): IndexDefinition | undefined {
  const lower = column.toLowerCase();
  for (const raw of indexes) {
    const idx = parseIndex(raw);
    if (idx?.unique && idx.columns.length === 1 && idx.columns[0]?.name.toLowerCase() === lower) return idx;
  }
  return undefined;
}
