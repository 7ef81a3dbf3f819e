import type { ResolvedFilter } from "../../../core/filter/index.ts";
import { compileFilter } from "./compile-filter.ts";
import type { SqlDialect } from "./dialect.ts";

/**
 * Marks where a compiled condition binds a value: the text stays the same for every condition of one
 * shape (rule and filter alike but for the values), so shapes can be told apart by their text alone.
 * Values never reach SQL text, so the marker cannot occur in it otherwise.
 */
const MARK = "\u0001";
const MARKED = /\u0001(\d+)\u0001/g;

/**
 * Names the statements give what they add: a hyphen cannot stand in a collection or field name, so
 * these never meet one (a collection named `__v`, a field named `__match0`).
 */
const VALUES_NAME = "plinth-values";
const matchColumn = (i: number) => `plinth-match-${i}`;

/** Bound values one statement takes at most (SQLite allows 32,766; PostgreSQL 65,535). */
const MAX_PARAMS_PER_STATEMENT = 10_000;
/** Refused shapes remembered at most (the oldest is forgotten, and tried again). */
const MAX_REFUSED_SHAPES = 1_000;
/** Result columns one statement has at most (SQLite allows 2,000). */
const MAX_COLUMNS_PER_STATEMENT = 200;

/** A condition list compiled with markers for its values. */
interface MarkedCondition {
  readonly table: string;
  /** SQL with a marker for each bound value (numbered from 1 in binding order). */
  readonly text: string;
  readonly params: readonly unknown[];
}

/** One shape's conditions in a statement: by the index of the condition list each came from. */
interface ShapeGroup {
  readonly text: string;
  readonly members: { readonly index: number; readonly params: readonly unknown[] }[];
}

/** A statement's SQL, its values, and which condition lists each result column answers. */
export interface MatchStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** Per result column `plinth-match-<i>`, the condition list indices of its members (one: a 0/1 column). */
  readonly columns: readonly (readonly number[])[];
}

/**
 * Builds the statements that test condition lists against one record: one column per shape of
 * condition. A shape used with one set of values is a plain CASE column; one used with many (an
 * owner rule, one user per subscriber) is a correlated subquery over a VALUES list of those values,
 * returning the indices that pass. So a statement's size and planning follow the number of distinct
 * shapes, not of subscribers. Everything normally fits one statement (one snapshot); only past the
 * bounds above are there more.
 */
export function createRecordMatchPlanner(dialect: SqlDialect) {
  const q = (name: string) => dialect.quoteIdent(name);
  const marking: SqlDialect = Object.assign(Object.create(dialect) as SqlDialect, {
    placeholder: (n: number) => `${MARK}${n}${MARK}`,
  });
  /** Compiled condition lists, kept while the caller keeps the list (realtime keeps them per subscription). */
  const compiled = new WeakMap<readonly ResolvedFilter[], MarkedCondition>();
  /** "table text" of shapes the database refused to run: they match nothing, and are not tried again. */
  const refused = new Set<string>();

  function compile(table: string, list: readonly ResolvedFilter[]): MarkedCondition {
    const cached = compiled.get(list);
    if (cached !== undefined && cached.table === table) return cached;
    const bound: unknown[] = [];
    const raw =
      list.length === 0
        ? "1 = 1"
        : list.map((w) => `(${compileFilter(w, { dialect: marking, params: bound, table })})`).join(" AND ");
    // Number the values by where they stand and keep only those the text uses (a dialect may drop
    // an operand it cannot use): the same text then always takes the same values, in the same order.
    const renumbered = new Map<number, number>();
    const text = raw.replace(MARKED, (_, n: string) => {
      let m = renumbered.get(Number(n));
      if (m === undefined) renumbered.set(Number(n), (m = renumbered.size + 1));
      return `${MARK}${m}${MARK}`;
    });
    const params = [...renumbered.keys()].map((n) => bound[n - 1]);
    const entry = { table, text, params };
    compiled.set(list, entry);
    return entry;
  }

  /** Groups condition lists by shape, splitting a group that would not fit one statement. */
  function shapes(table: string, conditions: readonly (readonly ResolvedFilter[])[]): ShapeGroup[] {
    const byText = new Map<string, ShapeGroup>();
    const out: ShapeGroup[] = [];
    conditions.forEach((list, index) => {
      const c = compile(table, list);
      if (refused.has(`${table} ${c.text}`)) return; // matches nothing
      let group = byText.get(c.text);
      const perMember = c.params.length + 1;
      if (group === undefined || (group.members.length + 1) * perMember > MAX_PARAMS_PER_STATEMENT) {
        group = { text: c.text, members: [] };
        byText.set(c.text, group);
        out.push(group);
      }
      group.members.push({ index, params: c.params });
    });
    return out;
  }

  function column(group: ShapeGroup, bind: (value: unknown) => string): string {
    const [only, ...more] = group.members;
    if (more.length === 0) {
      const sql = group.text.replace(MARKED, (_, n: string) => bind(only!.params[Number(n) - 1]));
      return `CASE WHEN ${sql} THEN 1 ELSE 0 END`;
    }
    const v = q(VALUES_NAME);
    const width = only!.params.length;
    const names = [q("i"), ...Array.from({ length: width }, (_, j) => q(`p${j + 1}`))];
    const rows = group.members.map((m, i) => `(${[String(i), ...m.params.map(bind)].join(", ")})`);
    const test = group.text.replace(MARKED, (_, n: string) => `${v}.${q(`p${n}`)}`);
    return `(WITH ${v}(${names.join(", ")}) AS (VALUES ${rows.join(", ")}) SELECT ${dialect.listAggregate(`${v}.${q("i")}`)} FROM ${v} WHERE ${test})`;
  }

  return {
    /** The indices of `conditions`, grouped by shape (to test them shape by shape). */
    shapeIndices(table: string, conditions: readonly (readonly ResolvedFilter[])[]): number[][] {
      return shapes(table, conditions).map((g) => g.members.map((m) => m.index));
    },

    /**
     * Remembers that the database refused to run this condition list's shape (one subscriber's filter
     * that fails at run time): from now on it matches nothing, without being tried.
     */
    refuse(table: string, list: readonly ResolvedFilter[]): void {
      if (refused.size >= MAX_REFUSED_SHAPES) refused.delete(refused.values().next().value as string);
      refused.add(`${table} ${compile(table, list).text}`);
    },

    /** The statements testing `conditions` against record `id` of `table`; the first also reads the row. */
    statements(
      table: string,
      id: string,
      conditions: readonly (readonly ResolvedFilter[])[],
    ): MatchStatement[] {
      const groups = shapes(table, conditions);
      const statements: MatchStatement[] = [];
      let start = 0;
      do {
        const params: unknown[] = [];
        const bind = (value: unknown) => {
          params.push(value);
          return dialect.placeholder(params.length);
        };
        const columns: string[] = [];
        const members: number[][] = [];
        for (; start < groups.length && columns.length < MAX_COLUMNS_PER_STATEMENT; start++) {
          const group = groups[start]!;
          const size = group.members.length * (group.members[0]!.params.length + 1);
          if (columns.length > 0 && params.length + size > MAX_PARAMS_PER_STATEMENT) break;
          columns.push(`${column(group, bind)} AS ${q(matchColumn(columns.length))}`);
          members.push(group.members.map((m) => m.index));
        }
        const select =
          statements.length === 0 ? [`${q(table)}.*`, ...columns] : [q(table) + "." + q("id"), ...columns];
        const where = `${q(table)}.${q("id")} = ${bind(id)}`;
        statements.push({
          sql: `SELECT ${select.join(", ")} FROM ${q(table)} WHERE ${where}`,
          params,
          columns: members,
        });
      } while (start < groups.length);
      return statements;
    },
  };
}

/** Reads one statement's answers into `matches` (by condition list index). */
export function readMatches(
  statement: MatchStatement,
  raw: Record<string, unknown>,
  matches: boolean[],
): void {
  statement.columns.forEach((indices, i) => {
    const value = raw[matchColumn(i)];
    if (indices.length === 1) {
      matches[indices[0]!] = Number(value) === 1;
      return;
    }
    if (value === null || value === undefined || value === "") return;
    for (const position of String(value).split(",")) {
      const index = indices[Number(position)];
      if (index !== undefined) matches[index] = true;
    }
  });
}
