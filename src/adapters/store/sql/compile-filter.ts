import type {
  Condition,
  Join,
  MultiMatchQuery,
  ResolvedFilter,
  ResolvedSort,
  Source,
  ValueExpr,
} from "../../../core/filter/index.ts";
import type { FieldType } from "../../../core/collections/field.ts";
import type { OperandType, SqlDialect, TypedSql } from "./dialect.ts";

/** Where compiled SQL goes: bound values are pushed onto `params`; `table` is the main (unaliased) table. */
export interface CompileContext {
  readonly dialect: SqlDialect;
  readonly params: unknown[];
  readonly table: string;
}

const MM_VALUE = "multiMatchValue";

/** How a field's column is stored, as an operand type. */
function columnType(fieldType: FieldType | undefined, multiple: boolean | undefined): OperandType {
  if (multiple) return "jsonArray";
  switch (fieldType) {
    case "number":
      return "number";
    case "bool":
      return "bool";
    case "json":
    case "geoPoint":
      return "jsonArray";
    default:
      return "text";
  }
}

/** A bound array (e.g. `@request.body.tags`) arrives as JSON text; it is an array for json_each. */
function isJsonArrayText(s: string): boolean {
  if (!s.startsWith("[")) return false;
  try {
    return Array.isArray(JSON.parse(s));
  } catch {
    return false;
  }
}

const isNumericText = (s: string): boolean => /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s);

/**
 * SQLite's type affinity, applied where the compiler can see both sides: a numeric-looking text
 * value compared with a number (or bool) column is compared as a number, and a number compared with
 * a text column as text. Doing it here gives every dialect SQLite's answer for these cases.
 */
function withAffinity(left: ValueExpr, right: ValueExpr): [ValueExpr, ValueExpr] {
  const convert = (col: ValueExpr, other: ValueExpr): ValueExpr => {
    if (col.kind !== "column" || other.kind !== "param" || col.multiple) return other;
    const t = columnType(col.fieldType, col.multiple);
    const v = other.value;
    if ((t === "number" || t === "bool") && typeof v === "string" && isNumericText(v))
      return { kind: "param", value: Number(v) };
    if (t === "text" && typeof v === "number") return { kind: "param", value: String(v) };
    if (t === "text" && typeof v === "boolean") return { kind: "param", value: v ? "1" : "0" };
    return other;
  };
  return [convert(right, left), convert(left, right)];
}

// One compilation: join keys become short aliases (PostgreSQL truncates identifiers at 63 bytes).
class Compiler {
  private readonly aliases = new Map<string, string>();
  private counter = 0;
  private readonly mmScopes: { single?: string; left?: string; right?: string }[] = [];
  private readonly mmTypes = new Map<string, OperandType>();
  private readonly c: CompileContext;

  constructor(c: CompileContext) {
    this.c = c;
  }

  private q(name: string): string {
    return this.c.dialect.quoteIdent(name);
  }

  private fresh(prefix: string): string {
    this.counter++;
    return this.q(`__${prefix}${this.counter}`);
  }

  private alias(key: string): string {
    let a = this.aliases.get(key);
    if (!a) {
      a = this.fresh("f");
      this.aliases.set(key, a);
    }
    return a;
  }

  private source(s: Source): string {
    return s === null ? this.q(this.c.table) : this.alias(s);
  }

  private bind(v: unknown): string {
    this.c.params.push(v);
    return this.c.dialect.placeholder(this.c.params.length);
  }

  value(v: ValueExpr): TypedSql {
    const d = this.c.dialect;
    switch (v.kind) {
      case "column":
        return {
          sql: `${this.source(v.source)}.${this.q(v.column)}`,
          type: columnType(v.fieldType, v.multiple),
        };
      case "param": {
        const type: OperandType =
          v.value === null
            ? "null"
            : typeof v.value === "number"
              ? "number"
              : typeof v.value === "boolean"
                ? "bool"
                : isJsonArrayText(v.value)
                  ? "jsonArray"
                  : "text";
        return { sql: d.paramSql(this.bind(d.bindFilterValue(v.value)), v.value), type };
      }
      case "null":
        return { sql: "NULL", type: "null" };
      case "emptyText":
        return { sql: "''", type: "text" };
      case "bool":
        return { sql: d.booleanLiteral(v.value), type: "bool" };
      case "int":
        if (!Number.isSafeInteger(v.value)) throw new Error("filter int out of range");
        return { sql: String(v.value), type: "number" };
      case "jsonExtract":
        return d.jsonExtract(
          { sql: `${this.source(v.source)}.${this.q(v.column)}`, type: this.columnTypeOf(v) },
          v.path,
        );
      case "jsonArrayLength":
        return {
          sql: d.jsonArrayLength({
            sql: `${this.source(v.source)}.${this.q(v.column)}`,
            type: this.columnTypeOf(v),
          }),
          type: "number",
        };
      case "lower":
        return { sql: d.lower(this.value(v.value)), type: "text" };
      case "eachValue":
        return { sql: `${this.alias(v.source)}.${this.q("value")}`, type: d.jsonEachValueType };
      case "multiMatchValue": {
        const scope = this.mmScopes[this.mmScopes.length - 1];
        const a = scope?.[v.side];
        if (!a) throw new Error("multi-match value outside its subquery");
        return { sql: `${a}.${this.q(MM_VALUE)}`, type: this.mmTypes.get(a) ?? "json" };
      }
      case "geoDistance":
        return { sql: this.geoDistance(v.args), type: "number" };
      case "strftime":
        return { sql: d.strftime(v.args.map((a) => this.value(a))), type: "text" };
      case "condition":
        return { sql: `(${this.condition(v.condition)})`, type: "bool" };
      default: {
        const never: never = v;
        throw new Error(`unknown value ${String(never)}`);
      }
    }
  }

  /** The storage type of the column a JSON operation reads. */
  private columnTypeOf(v: { readonly stored?: "json" | "plain" }): OperandType {
    return v.stored === "plain" ? "text" : "jsonArray";
  }

  // The formula repeats its arguments; bound ones are selected once in a derived row so that
  // positional placeholders still line up with their values.
  private geoDistance(args: readonly [ValueExpr, ValueExpr, ValueExpr, ValueExpr]): string {
    const d = this.c.dialect;
    const hasParam = args.some((a) => JSON.stringify(a).includes('"kind":"param"'));
    if (!hasParam) {
      const [a, b, c, e] = args.map((x) => this.value(x)) as [TypedSql, TypedSql, TypedSql, TypedSql];
      return d.geoDistance(a, b, c, e);
    }
    const g = this.fresh("g");
    const names = ["lonA", "latA", "lonB", "latB"];
    const typed = args.map((x) => this.value(x));
    const cols = typed.map((x, i) => `${x.sql} AS ${this.q(names[i]!)}`).join(", ");
    const [a, b, c, e] = names.map((n, i) => ({ sql: `${g}.${this.q(n)}`, type: typed[i]!.type })) as [
      TypedSql,
      TypedSql,
      TypedSql,
      TypedSql,
    ];
    return `(SELECT ${d.geoDistance(a, b, c, e)} FROM (SELECT ${cols}) ${g})`;
  }

  private joins(joins: readonly Join[]): string {
    return joins
      .map((j) => {
        const table =
          j.table.kind === "collection"
            ? this.q(j.table.name)
            : this.c.dialect.jsonEach(this.value(j.table.array), j.table.normalize);
        const alias = this.alias(j.key);
        const on = j.on ? this.condition(j.on) : "1=1";
        return ` LEFT JOIN ${table} ${alias} ON ${on}`;
      })
      .join("");
  }

  private multiMatchQuery(m: MultiMatchQuery, alias: string): string {
    const base = this.alias(m.baseKey);
    const value = this.value(m.value);
    this.mmTypes.set(alias, value.type);
    const joins = this.joins(m.joins);
    return `SELECT ${value.sql} AS ${this.q(MM_VALUE)} FROM ${this.q(m.baseTable)} ${base}${joins} WHERE ${base}.${this.q("id")} = ${this.source(m.target)}.${this.q("id")}`;
  }

  condition(c: Condition): string {
    const d = this.c.dialect;
    switch (c.kind) {
      case "and":
      case "or":
        return `(${c.items.map((i) => this.condition(i)).join(c.kind === "and" ? " AND " : " OR ")})`;
      case "not":
        return `NOT (${this.condition(c.condition)})`;
      case "const":
        return c.value ? "(1=1)" : "(1=0)";
      case "compare": {
        const [left, right] = withAffinity(c.left, c.right);
        const l = this.value(left);
        const r = this.value(right);
        if (c.op === "is" || c.op === "isNot") return d.nullSafeCompare(l, r, c.op === "isNot");
        return d.compare(c.op, l, r);
      }
      case "coalesceCompare": {
        const [left, right] = withAffinity(c.left, c.right);
        const l = d.coalesceEmpty(this.value(left));
        const r = d.coalesceEmpty(this.value(right));
        return c.negate ? d.nullSafeCompare(l, r, true) : d.compare("=", l, r);
      }
      case "isNull":
        return `${this.value(c.value).sql} ${c.negate ? "IS NOT NULL" : "IS NULL"}`;
      case "like": {
        const l = this.value(c.left);
        const p = d.asText(this.value(c.pattern));
        return d.like(l, c.wrap ? d.concat(["'%'", p, "'%'"]) : p, c.negate);
      }
      case "in": {
        const v = this.value(c.value);
        if (c.items.length === 0) return "(1=0)";
        return `(${c.items.map((i) => d.compare("=", v, this.value(i))).join(" OR ")})`;
      }
      case "inJsonArray":
        return d.inJsonArray(this.value(c.value), this.value(c.array), this.fresh("je"));
      case "multiMatch": {
        const alias = this.fresh("sm");
        const sub = this.multiMatchQuery(c.subquery, alias);
        this.mmScopes.push({ single: alias });
        const where = this.condition(c.where);
        this.mmScopes.pop();
        return `NOT EXISTS (SELECT 1 FROM (${sub}) ${alias} WHERE ${where})`;
      }
      case "multiMatchPair": {
        const la = this.fresh("ml");
        const left = this.multiMatchQuery(c.left, la);
        const ra = this.fresh("mr");
        const right = this.multiMatchQuery(c.right, ra);
        this.mmScopes.push({ left: la, right: ra });
        const where = this.condition(c.where);
        this.mmScopes.pop();
        return `NOT EXISTS (SELECT 1 FROM (${left}) ${la} LEFT JOIN (${right}) ${ra} ON 1=1 WHERE ${where})`;
      }
      default: {
        const never: never = c;
        throw new Error(`unknown condition ${String(never)}`);
      }
    }
  }

  /** A FROM clause over the joins, correlated to the current main-table row. */
  fromJoins(joins: readonly Join[]): string {
    return `(SELECT 1) ${this.fresh("b")}${this.joins(joins)}`;
  }
}

/**
 * Compiles a resolved filter to a boolean SQL expression over `ctx.table` (referenced by its own quoted
 * name). Joins become one correlated `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE …)`, which is
 * PocketBase's `SELECT DISTINCT … LEFT JOIN … WHERE` without changing the caller's query shape.
 */
export function compileFilter(filter: ResolvedFilter, ctx: CompileContext): string {
  const compiler = new Compiler(ctx);
  if (filter.joins.length === 0) return compiler.condition(filter.where);
  const from = compiler.fromJoins(filter.joins);
  return `EXISTS (SELECT 1 FROM ${from} WHERE ${compiler.condition(filter.where)})`;
}

/** Compiles sort items to an ORDER BY list (without the keywords); "" when there are none. */
export function compileSort(sort: readonly ResolvedSort[], ctx: CompileContext): string {
  const compiler = new Compiler(ctx);
  return sort
    .map((s) => {
      switch (s.kind) {
        case "random":
          return ctx.dialect.randomOrder();
        case "rowid":
          return `${ctx.dialect.rowidColumn(ctx.dialect.quoteIdent(ctx.table))} ${s.direction.toUpperCase()}`;
        case "value": {
          const dir = s.direction.toUpperCase();
          if (s.joins.length === 0) return `${compiler.value(s.value).sql} ${dir}`;
          const value = compiler.value(s.value).sql;
          return `(SELECT ${value} FROM ${compiler.fromJoins(s.joins)} LIMIT 1) ${dir}`;
        }
        default: {
          const never: never = s;
          throw new Error(`unknown sort ${String(never)}`);
        }
      }
    })
    .join(", ");
}
