/** Reads a view's SELECT: rejects anything but one read-only statement, then lists its columns and tables (PocketBase's parser). */
import { splitTokens, trimChars } from "./sql-tokenizer.ts";

/** A column or table reference and the name it is known by. */
export interface SqlIdentifier {
  /** The expression or name as written (quotes trimmed from identifiers). */
  readonly original: string;
  /** The output/alias name. */
  readonly alias: string;
}

/** Columns of the SELECT list and tables of FROM and JOIN clauses, in order. */
export interface ParsedSelect {
  readonly columns: readonly SqlIdentifier[];
  readonly tables: readonly SqlIdentifier[];
}

const WRITE_KEYWORDS = new Set([
  "insert",
  "update",
  "delete",
  "drop",
  "attach",
  "detach",
  "pragma",
  "create",
  "alter",
  "vacuum",
  "reindex",
  "analyze",
  "savepoint",
  "release",
  "begin",
  "commit",
  "rollback",
]);

const COMMENTS_RE = /(\/\*[\s\S]*?\*\/)|(--.+$)/gm;
const JOIN_RE =
  /\s+(full\s+outer\s+join|left\s+outer\s+join|right\s+outer\s+join|full\s+join|cross\s+join|inner\s+join|outer\s+join|left\s+join|right\s+join|join)\s+?/gim;
const DISCARD_RE = /\s+(where|group\s+by|having|order|limit|with)\s+?/gim;

/** The trimmed query, or an error when it is not exactly one read-only SELECT (or WITH … SELECT) statement. */
export function checkSelectQuery(query: string): { readonly query: string } | { readonly error: string } {
  const trimmed = trimChars(query.trim(), ";");
  if (trimmed === "") return { error: "the query must not be empty" };
  let statements: string[];
  try {
    statements = splitTokens(trimmed, { separators: [";"] });
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (statements.length > 1) return { error: "multiple statements are not supported" };
  const words = bareWords(trimmed.replace(COMMENTS_RE, " "));
  const first = words[0]?.toLowerCase();
  if (first !== "select" && first !== "with") return { error: "only SELECT queries are supported" };
  const write = words.find((w) => WRITE_KEYWORDS.has(w.toLowerCase()));
  if (write !== undefined) return { error: `${write.toUpperCase()} is not allowed in a view query` };
  return { query: trimmed };
}

/** Words outside string literals, quoted identifiers and `x.word` member access. */
function bareWords(sql: string): string[] {
  const words: string[] = [];
  const closers: Record<string, string> = { "'": "'", '"': '"', "`": "`", "[": "]" };
  for (let i = 0; i < sql.length; ) {
    const ch = sql[i] ?? "";
    const close = closers[ch];
    if (close !== undefined) {
      const end = sql.indexOf(close, i + 1);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    const m = /^[A-Za-z_]\w*/.exec(sql.slice(i));
    if (m !== null) {
      if (sql[i - 1] !== ".") words.push(m[0]);
      i += m[0].length;
      continue;
    }
    i++;
  }
  return words;
}

/** Lists the SELECT columns and FROM/JOIN tables of a query (the rules of PocketBase's identifiers parser). */
export function parseSelect(query: string): ParsedSelect {
  let str = trimChars(query.trim(), ";");
  str = str
    .replace(COMMENTS_RE, " ")
    .replace(JOIN_RE, " __pb_join__ ")
    .replace(DISCARD_RE, " __pb_discard__ ");
  const tokens = splitTokens(str, { separators: [",", " ", "\n", "\t"], keepSeparator: true });
  const parts = { select: "", from: "", join: "" };
  let active: keyof typeof parts | null = null;
  let skip = false;
  for (const token of tokens) {
    const word = token.trim().toLowerCase();
    if (word === "select" || word === "from") {
      skip = false;
      active = word;
    } else if (word === "distinct") {
      // not relevant to the identifiers
    } else if (word === "__pb_join__") {
      skip = false;
      if (active === "join") parts.join += ",";
      active = "join";
    } else if (word === "__pb_discard__") {
      skip = true;
    } else {
      if (active === "join" && word === "on") skip = true;
      if (!skip && active !== null) parts[active] += ` ${token}`;
    }
  }
  return {
    columns: extractIdentifiers(parts.select),
    tables: [...extractIdentifiers(parts.from), ...extractIdentifiers(parts.join)],
  };
}

function extractIdentifiers(raw: string): SqlIdentifier[] {
  return splitTokens(raw, { separators: [","] }).map((item) => {
    const words = splitTokens(item, { separators: [" ", "\n", "\t"] });
    return identifierFromParts(words);
  });
}

function identifierFromParts(parts: readonly string[]): SqlIdentifier {
  let original: string;
  let alias: string;
  if (parts.length === 3) {
    if ((parts[1] ?? "").toLowerCase() !== "as") {
      throw new Error(`invalid identifier part - expected "as", got ${parts[1]}`);
    }
    original = parts[0] ?? "";
    alias = parts[2] ?? "";
  } else if (parts.length === 2) {
    original = parts[0] ?? "";
    alias = parts[1] ?? "";
  } else if (parts.length === 1) {
    original = parts[0] ?? "";
    alias = original.split(".").at(-1) ?? "";
  } else {
    throw new Error(`invalid identifier parts ${JSON.stringify(parts)}`);
  }
  return { original: trimIdentifier(original, ""), alias: trimIdentifier(alias, "'") };
}

function trimIdentifier(raw: string, extra: string): string {
  const set = `\`"[];${extra}`;
  return raw
    .split(".")
    .map((p) => trimChars(p, set))
    .join(".");
}
