import type {
  Condition,
  Join,
  MultiMatchQuery,
  ResolvedFilter,
  ResolvedSort,
  Source,
  ValueExpr,
} from "../../../core/filter/index.ts";
import type { SqlDialect } from "./dialect.ts";

/** Where compiled SQL goes: bound values are pushed onto `params`; `table` is the main (unaliased) table. */
export interface CompileContext {
  readonly dialect: SqlDialect;
  readonly params: unknown[];
  readonly table: string;
}

const MM_VALUE = "multiMatchValue";

// One compilation: join keys become short aliases (PostgreSQL truncates identifiers at 63 bytes).
class Compiler {
  private readonly aliases = new Map<string, string>();
  private counter = 0;
  private readonly mmScopes: { single?: string; left?: string; right?: string }[] = [];
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

  value(v: ValueExpr): string {
    const d = this.c.dialect;
    switch (v.kind) {
      case "column":
        return `${this.source(v.source)}.${this.q(v.column)}`;
      case "param":
        return this.bind(d.bindFilterValue(v.value));
      case "null":
        return "NULL";
      case "emptyText":
        return "''";
      case "bool":
        return d.booleanLiteral(v.value);
      case "int":
        if (!Number.isSafeInteger(v.value)) throw new Error("filter int out of range");
        return String(v.value);
      case "jsonExtract":
        return d.jsonExtract(`${this.source(v.source)}.${this.q(v.column)}`, v.path);
      case "jsonArrayLength":
        return d.jsonArrayLength(`${this.source(v.source)}.${this.q(v.column)}`);
      case "lower":
        return `LOWER(${this.value(v.value)})`;
      case "eachValue":
        return `${this.alias(v.source)}.${this.q("value")}`;
      case "multiMatchValue": {
        const scope = this.mmScopes[this.mmScopes.length - 1];
        const a = scope?.[v.side];
        if (!a) throw new Error("multi-match value outside its subquery");
        return `${a}.${this.q(MM_VALUE)}`;
      }
      case "geoDistance":
        return this.geoDistance(v.args);
      case "strftime":
        return d.strftime(v.args.map((a) => this.value(a)));
      case "condition":
        return `(${this.condition(v.condition)})`;
      default: {
        const never: never = v;
        throw new Error(`unknown value ${String(never)}`);
      }
    }
  }

  // The formula repeats its arguments; bound ones are selected once in a derived row so that
  // positional placeholders still line up with their values.
  private geoDistance(args: readonly [ValueExpr, ValueExpr, ValueExpr, ValueExpr]): string {
    const d = this.c.dialect;
    const hasParam = args.some((a) => JSON.stringify(a).includes('"kind":"param"'));
    if (!hasParam) {
      const [a, b, c, e] = args.map((x) => this.value(x)) as [string, string, string, string];
      return d.geoDistance(a, b, c, e);
    }
    const g = this.fresh("g");
    const names = ["lonA", "latA", "lonB", "latB"];
    const cols = args.map((x, i) => `${this.value(x)} AS ${this.q(names[i]!)}`).join(", ");
    const [a, b, c, e] = names.map((n) => `${g}.${this.q(n)}`) as [string, string, string, string];
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

  private multiMatchQuery(m: MultiMatchQuery): string {
    const base = this.alias(m.baseKey);
    const value = this.value(m.value);
    const joins = this.joins(m.joins);
    return `SELECT ${value} AS ${this.q(MM_VALUE)} FROM ${this.q(m.baseTable)} ${base}${joins} WHERE ${base}.${this.q("id")} = ${this.source(m.target)}.${this.q("id")}`;
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
        const l = this.value(c.left);
        const r = this.value(c.right);
        if (c.op === "is" || c.op === "isNot") return d.nullSafeCompare(l, r, c.op === "isNot");
        return `${l} ${c.op} ${r}`;
      }
      case "coalesceCompare": {
        const l = `COALESCE(${this.value(c.left)}, '')`;
        const r = `COALESCE(${this.value(c.right)}, '')`;
        return c.negate ? d.nullSafeCompare(l, r, true) : `${l} = ${r}`;
      }
      case "isNull":
        return `${this.value(c.value)} ${c.negate ? "IS NOT NULL" : "IS NULL"}`;
      case "like": {
        const l = this.value(c.left);
        const p = this.value(c.pattern);
        return d.like(l, c.wrap ? d.concat(["'%'", p, "'%'"]) : p, c.negate);
      }
      case "in": {
        const v = this.value(c.value);
        return `${v} IN (${c.items.map((i) => this.value(i)).join(", ")})`;
      }
      case "inJsonArray": {
        const v = this.value(c.value);
        const je = this.fresh("je");
        return `${v} IN (SELECT ${je}.${this.q("value")} FROM ${d.jsonEach(this.value(c.array), true)} ${je})`;
      }
      case "multiMatch": {
        const sub = this.multiMatchQuery(c.subquery);
        const alias = this.fresh("sm");
        this.mmScopes.push({ single: alias });
        const where = this.condition(c.where);
        this.mmScopes.pop();
        return `NOT EXISTS (SELECT 1 FROM (${sub}) ${alias} WHERE ${where})`;
      }
      case "multiMatchPair": {
        const left = this.multiMatchQuery(c.left);
        const la = this.fresh("ml");
        const right = this.multiMatchQuery(c.right);
        const ra = this.fresh("mr");
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
          if (s.joins.length === 0) return `${compiler.value(s.value)} ${dir}`;
          const value = compiler.value(s.value);
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
