/** Infers a view collection's fields from its SELECT, as PocketBase's core/view.go does. */
import type { Collection } from "./collection.ts";
import { crc32Checksum } from "./crc32.ts";
import type { Field } from "./field.ts";
import { makeField, sortFieldKeys } from "./field-normalize.ts";
import { addField, DEFAULT_ID_PATTERN } from "./fields-list.ts";
import type { SqlIdentifier } from "./view-query-parser.ts";
import { checkSelectQuery, parseSelect } from "./view-query-parser.ts";

/** The inferred fields, or why the query can't define a view. */
export type ViewFieldsResult = { readonly fields: Field[] } | { readonly error: string };

const CAST_RE = /^cast\s*\(.*\s+as\s+(\w+)\s*\)$/is;
const PLAIN_IDENT_RE = /^[A-Za-z_]\w*$/;
const LITERAL_WORDS = new Set(["null", "true", "false", "current_time", "current_date", "current_timestamp"]);

/** The `id` field of every view (a text primary key without length limits). */
export function defaultViewIdField(): Field {
  return makeField("text", {
    name: "id",
    system: true,
    required: true,
    primaryKey: true,
    pattern: DEFAULT_ID_PATTERN,
  });
}

function defaultViewField(name: string): Field {
  return name === "id" ? defaultViewIdField() : makeField("json", { name, maxSize: 1 });
}

/**
 * Infers the fields of a view from its query. Columns of collection fields keep the source field's definition
 * (renamed to the output name), `x.id` columns become single relations, `count(…)`/int casts become integer
 * numbers, `total(…)`/real casts numbers, text/bool casts text/bool, `id` a text primary key, anything else JSON.
 * Refuses `*`, more than one statement, writes, unknown tables/columns, and a missing `id` column.
 */
export function inferViewFields(query: string, all: readonly Collection[]): ViewFieldsResult {
  const checked = checkSelectQuery(query);
  if ("error" in checked) return checked;
  let parsed: ReturnType<typeof parseSelect>;
  try {
    parsed = parseSelect(checked.query);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const byAlias = new Map<string, Collection>();
  for (const table of parsed.tables) {
    if (table.alias.includes("(") || table.original.includes("(")) continue; // subquery or table function
    const collection = all.find((c) => c.name === table.original);
    if (collection === undefined) return { error: `no such table: ${table.original}` };
    byAlias.set(table.alias, collection);
  }
  const main = parsed.tables[0];
  const singleSource = parsed.tables.length === 1;
  let fields: Field[] = [];
  const seen = new Set<string>();
  for (const column of parsed.columns) {
    if (column.alias === "*" || column.original.endsWith("*")) {
      return {
        error:
          "wildcard columns (*) are not supported - manually type the collection field names you want the view query to have",
      };
    }
    if (seen.has(column.alias.toLowerCase())) return { error: `duplicated column name ${column.alias}` };
    seen.add(column.alias.toLowerCase());
    const field = columnField(column, byAlias, main, singleSource);
    if ("error" in field) return field;
    fields = addField(fields, field.field);
  }
  if (!seen.has("id")) {
    return {
      error: "missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one)",
    };
  }
  return { fields };
}

function columnField(
  column: SqlIdentifier,
  byAlias: ReadonlyMap<string, Collection>,
  main: SqlIdentifier | undefined,
  singleSource: boolean,
): { readonly field: Field } | { readonly error: string } {
  const name = column.alias;
  const lower = column.original.toLowerCase();
  if (name === "id") return { field: defaultViewIdField() };
  if (lower.startsWith("count(")) return { field: makeField("number", { name, onlyInt: true }) };
  if (lower.startsWith("total(")) return { field: makeField("number", { name }) };
  const cast = CAST_RE.exec(lower)?.[1];
  switch (cast) {
    case "real":
    case "decimal":
    case "numeric":
      return { field: makeField("number", { name }) };
    case "int":
    case "integer":
      return { field: makeField("number", { name, onlyInt: true }) };
    case "text":
      return { field: makeField("text", { name }) };
    case "boolean":
    case "bool":
      return { field: makeField("bool", { name }) };
    default:
  }
  const parts = column.original.split(".");
  const qualified = parts.length === 2;
  const fieldName = (qualified ? parts[1] : parts[0]) ?? "";
  const collection = qualified ? byAlias.get(parts[0] ?? "") : main ? byAlias.get(main.alias) : undefined;
  if (collection === undefined) return { field: defaultViewField(name) };
  const source = collection.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
  if (source === undefined) {
    // a plain identifier that names no field would fail in the database; say so now
    const plain = PLAIN_IDENT_RE.test(fieldName) && !LITERAL_WORDS.has(fieldName.toLowerCase());
    if (plain && (qualified || singleSource)) return { error: `no such column: ${column.original}` };
    return { field: defaultViewField(name) };
  }
  if (fieldName.toLowerCase() === "id") {
    return { field: makeField("relation", { name, maxSelect: 1, collectionId: collection.id }) };
  }
  // a stable id unique per output column (PocketBase uses a random one)
  const id = `_clone_${crc32Checksum(`${collection.id}.${source.id}.${name}`)}`;
  return { field: sortFieldKeys({ ...source, id, name }) };
}
