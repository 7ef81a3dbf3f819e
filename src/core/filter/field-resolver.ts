import type { Collection } from "../collections/collection.ts";
import { findField } from "../collections/collection.ts";
import type { Field, RelationField } from "../collections/field.ts";
import type { ResolveContext } from "./context.ts";
import { FieldProblem, quote } from "./errors.ts";
import type { Condition, Join, JoinTable, MultiMatchQuery, Source, ValueExpr } from "./ir.ts";
import { hasSingleColumnUniqueIndex } from "./unique-index.ts";
import { type Operand, operand } from "./operand.ts";
import { resolveBodyModifier, resolveStaticRequestField, toUniqueStrings } from "./request-fields.ts";

/** Joins collected while resolving one filter (shared by all its identifiers, as in PocketBase). */
export interface JoinRegistry {
  readonly joins: Join[];
  /** Joined collections whose list rule must also hold (client filters only). */
  readonly ruleJoins: { collection: Collection; key: string }[];
}

/** The collection an identifier is resolved from and how. */
export interface ResolverScope {
  readonly ctx: ResolveContext;
  readonly base: Collection;
  /** Text the join keys are derived from (PocketBase's table alias). */
  readonly baseAlias: string;
  readonly baseSource: Source;
  readonly allowHidden: boolean;
  /** Appended to join keys so list-rule joins never collide with the filter's own. */
  readonly suffix: string;
  readonly registry: JoinRegistry;
  /** Resolves a nested filter text with the same scope (`:changed`). */
  readonly resolveText: (text: string) => Condition;
}

const MAX_NESTED_RELS = 6;
const MODIFIERS = new Set(["each", "isset", "length", "lower", "changed"]);
const PLAIN_AUTH_FIELDS = new Set([
  "id",
  "collectionId",
  "collectionName",
  "email",
  "emailVisibility",
  "verified",
]);
const ALLOWED = [
  /^\w+[\w.:]*$/,
  /^@request\.context$/,
  /^@request\.method$/,
  /^@request\.auth\.[\w.:]*\w+$/,
  /^@request\.body\.[\w.:]*\w+$/,
  /^@request\.query\.[\w.:]*\w+$/,
  /^@request\.headers\.[\w.:]*\w+$/,
  /^@collection\.\w+(:\w+)?\.[\w.:]*\w+$/,
];
const VIA = /^(\w+)_via_(\w+)$/;

/** Splits `name:modifier`; more than one `:` means no modifier (as PocketBase). */
export function splitModifier(prop: string): [string, string] {
  const parts = prop.split(":");
  if (parts.length !== 2) return [prop, ""];
  if (!MODIFIERS.has(parts[1]!)) throw new FieldProblem(`unknown modifier in ${quote(prop)}`);
  return [parts[0]!, parts[1]!];
}

function isMultiValuer(f: Field): f is Extract<Field, { type: "select" | "file" | "relation" }> {
  return f.type === "select" || f.type === "file" || f.type === "relation";
}

function isMultiple(f: Field): boolean {
  return isMultiValuer(f) && f.maxSelect > 1;
}

/** Whether a field's column holds JSON (json, geoPoint, multi-values) or a plain value. */
function storedAs(field: Field): "json" | "plain" {
  return field.type === "json" || field.type === "geoPoint" || isMultiple(field) ? "json" : "plain";
}

function column(source: Source, field: Field): ValueExpr {
  return isMultiple(field)
    ? { kind: "column", source, column: field.name, fieldType: field.type, multiple: true }
    : { kind: "column", source, column: field.name, fieldType: field.type };
}

/** Resolves one identifier (field path or `@request`/`@collection` reference) to an operand. */
export function resolveField(scope: ResolverScope, name: string): Operand {
  if (!ALLOWED.some((re) => re.test(name))) throw new FieldProblem(`unknown field ${quote(name)}`);
  return new Runner(scope, name).run();
}

/** Adds (or replaces by key) a join; for client filters, checks and records the joined collection's list rule. */
export function registerJoin(scope: ResolverScope, join: Join): void {
  if (!scope.allowHidden && join.table.kind === "collection") {
    const c = scope.ctx.schema.byNameOrId(join.table.name);
    if (c) {
      if (c.listRule === null) {
        throw new FieldProblem(`the fields of ${quote(c.name)} can be filtered only by superusers`);
      }
      const existing = scope.registry.ruleJoins.find((r) => r.key === join.key);
      if (existing) existing.collection = c;
      else scope.registry.ruleJoins.push({ collection: c, key: join.key });
    }
  }
  const i = scope.registry.joins.findIndex((j) => j.key === join.key);
  if (i >= 0) scope.registry.joins[i] = join;
  else scope.registry.joins.push(join);
}

// A class because it is PocketBase's runner: one mutable walk along an identifier's path.
class Runner {
  private props: string[];
  private collection: Collection;
  private alias: string;
  private source: Source;
  private readonly nullifyMissing: boolean;
  private withMultiMatch = false;
  private readonly mmJoins: Join[] = [];
  private readonly mmBase: string;
  private mmActive: string;
  private readonly scope: ResolverScope;
  private readonly name: string;

  constructor(scope: ResolverScope, name: string) {
    this.scope = scope;
    this.name = name;
    this.props = name.split(".");
    this.collection = scope.base;
    this.alias = scope.baseAlias;
    this.source = scope.baseSource;
    // missing @request.* fields resolve to NULL instead of failing (PocketBase's backward compatibility)
    this.nullifyMissing = this.props[0] === "@request";
    this.mmBase = `__mm_${this.alias}`;
    this.mmActive = this.mmBase;
  }

  private multiMatch(value: ValueExpr): MultiMatchQuery {
    return {
      baseTable: this.scope.base.name,
      baseKey: this.mmBase,
      target: this.scope.baseSource,
      joins: [...this.mmJoins],
      value,
    };
  }

  private load(nameOrId: string): Collection | undefined {
    const base = this.scope.base;
    if (nameOrId === base.name || nameOrId === base.id) return base;
    return this.scope.ctx.schema.byNameOrId(nameOrId);
  }

  private join(key: string, table: JoinTable, on: Condition | null): void {
    registerJoin(this.scope, { key, table, on });
  }

  run(): Operand {
    const first = this.props[0];
    if (first === "@collection") return this.collectionField();
    if (first === "@request") {
      if (this.name.startsWith("@request.auth.")) return this.authField();
      if (this.name.startsWith("@request.body.") && this.props.length > 2) {
        const [fieldName, modifier] = splitModifier(this.props[2]!);
        const field = findField(this.scope.base, fieldName);
        if (field) {
          if (field.type === "relation" && this.props.length > 3) return this.bodyRelationField(field);
          if (this.props.length === 3 && modifier !== "" && modifier !== "isset") {
            return resolveBodyModifier(this.scope, field, modifier, this.bodyEachMultiMatch(field));
          }
        }
      }
      return resolveStaticRequestField(this.scope, this.props.slice(1));
    }
    return this.activeProps();
  }

  /** The multi-match hook for `@request.body.field:each` on multi-value fields. */
  private bodyEachMultiMatch(field: Field): ((key: string, array: ValueExpr) => MultiMatchQuery) | undefined {
    if (!isMultiple(field)) return undefined;
    return (key, array) => {
      const mmKey = `__mm_${key}`;
      this.mmJoins.push({ key: mmKey, table: { kind: "jsonEach", array, normalize: false }, on: null });
      return this.multiMatch({ kind: "eachValue", source: mmKey });
    };
  }

  private collectionField(): Operand {
    if (this.props.length < 3) throw new FieldProblem(`invalid @collection field path ${quote(this.name)}`);
    const [nameOrId = "", aliasPart] = this.props[1]!.split(/:(.*)/s, 2);
    const c = this.load(nameOrId);
    if (!c) throw new FieldProblem(`unknown collection ${quote(nameOrId)} in ${quote(this.name)}`);
    this.collection = c;
    this.alias =
      (aliasPart ? `__collection_alias_${aliasPart}` : `__collection_${c.name}`) + this.scope.suffix;
    this.source = this.alias;
    this.withMultiMatch = true;
    this.join(this.alias, { kind: "collection", name: c.name }, null);
    this.mmActive = `__mm_${this.alias}`;
    this.mmJoins.push({ key: this.mmActive, table: { kind: "collection", name: c.name }, on: null });
    this.props = this.props.slice(2);
    return this.activeProps();
  }

  private authField(): Operand {
    const auth = this.scope.ctx.request.auth;
    const authCollection = auth
      ? (this.scope.ctx.schema.byNameOrId(auth.collectionId) ??
        this.scope.ctx.schema.byNameOrId(auth.collectionName))
      : undefined;
    if (!auth || !authCollection) return operand({ kind: "null" });
    if (this.props.length === 3 && PLAIN_AUTH_FIELDS.has(this.props[2]!)) {
      return resolveStaticRequestField(this.scope, this.props.slice(1));
    }
    const authId = String(auth.record["id"] ?? "");
    this.collection = authCollection;
    this.alias = `__auth_${authCollection.name}${this.scope.suffix}`;
    this.source = this.alias;
    const idIs = (key: string): Condition => ({
      kind: "compare",
      op: "=",
      left: { kind: "column", source: key, column: "id", fieldType: "text" },
      right: { kind: "param", value: authId },
    });
    this.join(this.alias, { kind: "collection", name: authCollection.name }, idIs(this.alias));
    this.mmActive = `__mm_${this.alias}`;
    this.mmJoins.push({
      key: this.mmActive,
      table: { kind: "collection", name: authCollection.name },
      on: idIs(this.mmActive),
    });
    this.props = this.props.slice(2);
    return this.activeProps();
  }

  private bodyRelationField(field: RelationField): Operand {
    const relCollection = this.load(field.collectionId);
    if (!relCollection) throw new FieldProblem(`missing collection of relation field ${quote(field.name)}`);
    const ids = toUniqueStrings(this.scope.ctx.request.body[field.name]);
    if (ids.length === 0) return operand({ kind: "null" });
    this.collection = relCollection;
    this.alias = `__data_${relCollection.name}_${field.name}${this.scope.suffix}`;
    this.source = this.alias;
    const idIn = (key: string): Condition => ({
      kind: "in",
      value: { kind: "column", source: key, column: "id", fieldType: "text" },
      items: ids.map((id) => ({ kind: "param", value: id })),
    });
    this.join(this.alias, { kind: "collection", name: relCollection.name }, idIn(this.alias));
    if (isMultiple(field)) this.withMultiMatch = true;
    this.mmActive = `__mm_${this.alias}`;
    this.mmJoins.push({
      key: this.mmActive,
      table: { kind: "collection", name: relCollection.name },
      on: idIn(this.mmActive),
    });
    this.props = this.props.slice(3);
    return this.activeProps();
  }

  private missing(problem: string): Operand {
    if (this.nullifyMissing) return operand({ kind: "null" });
    throw new FieldProblem(problem);
  }

  private activeProps(): Operand {
    const total = this.props.length;
    for (let i = 0; i < total; i++) {
      const prop = this.props[i]!;
      const collection = this.collection;
      if (i === total - 1) return this.finalize(prop);

      const field = findField(collection, prop);
      if (field?.hidden && !this.scope.allowHidden)
        throw new FieldProblem(`non-filterable field ${quote(prop)}`);

      if (field && (field.type === "json" || field.type === "geoPoint")) {
        const path = this.props.slice(i + 1).map((p) => {
          if (p.includes(":"))
            throw new FieldProblem(`modifiers are not allowed in a JSON path (${quote(this.name)})`);
          if (p === "") throw new FieldProblem(`empty JSON path segment in ${quote(this.name)}`);
          return /^\d+$/.test(p) ? Number(p) : p;
        });
        const value: ValueExpr = {
          kind: "jsonExtract",
          source: this.source,
          column: field.name,
          path,
          stored: storedAs(field),
        };
        const mm = this.withMultiMatch
          ? this.multiMatch({
              kind: "jsonExtract",
              source: this.mmActive,
              column: field.name,
              path,
              stored: storedAs(field),
            })
          : undefined;
        return operand(value, { nullFallback: "disabled", ...(mm ? { multiMatch: mm } : {}) });
      }

      if (i >= MAX_NESTED_RELS)
        throw new FieldProblem(`more than ${MAX_NESTED_RELS} nested relations in ${quote(this.name)}`);

      if (!field) {
        const via = VIA.exec(prop);
        if (!via) return this.missing(`unknown field ${quote(prop)}`);
        const backCollection = this.load(via[1]!);
        if (!backCollection) return this.missing(`unknown back-relation collection in ${quote(prop)}`);
        const backField = findField(backCollection, via[2]!);
        if (!backField) return this.missing(`unknown back-relation field ${quote(via[2]!)}`);
        if (backField.type !== "relation") return this.missing(`${quote(via[2]!)} is not a relation field`);
        if (backField.hidden && !this.scope.allowHidden) {
          throw new FieldProblem(`non-filterable back-relation field ${quote(backField.name)}`);
        }
        if (backField.collectionId !== collection.id) {
          return this.missing(`${quote(via[2]!)} does not reference ${quote(collection.name)}`);
        }
        this.backRelation(prop, backCollection, backField);
        continue;
      }

      if (field.type !== "relation") throw new FieldProblem(`field ${quote(prop)} is not a relation`);
      const relCollection = this.load(field.collectionId);
      if (!relCollection) throw new FieldProblem(`missing collection of relation field ${quote(prop)}`);
      // `rel.id` on a single relation reads the relation column itself (no join)
      if (!isMultiple(field) && i === total - 2 && this.props[i + 1] === "id")
        return this.finalize(field.name);
      this.relation(field, relCollection);
    }
    throw new FieldProblem(`unknown field ${quote(this.name)}`);
  }

  private relation(field: RelationField, relCollection: Collection): void {
    const key = `${this.alias}_${field.name}${this.scope.suffix}`;
    const idCol = (k: string): ValueExpr => ({ kind: "column", source: k, column: "id", fieldType: "text" });
    if (!isMultiple(field)) {
      this.join(
        key,
        { kind: "collection", name: relCollection.name },
        {
          kind: "compare",
          op: "=",
          left: idCol(key),
          right: column(this.source, field),
        },
      );
    } else {
      const je = `__je_${key}`;
      this.join(je, { kind: "jsonEach", array: column(this.source, field), normalize: true }, null);
      this.join(
        key,
        { kind: "collection", name: relCollection.name },
        {
          kind: "compare",
          op: "=",
          left: idCol(key),
          right: { kind: "eachValue", source: je },
        },
      );
      this.withMultiMatch = true;
    }
    this.collection = relCollection;
    this.alias = key;
    this.source = key;

    const mmKey = `${this.mmActive}_${field.name}`;
    if (!isMultiple(field)) {
      this.mmJoins.push({
        key: mmKey,
        table: { kind: "collection", name: relCollection.name },
        on: { kind: "compare", op: "=", left: idCol(mmKey), right: column(this.mmActive, field) },
      });
    } else {
      const je = `${this.mmActive}_${field.name}_je`;
      this.mmJoins.push(
        {
          key: je,
          table: { kind: "jsonEach", array: column(this.mmActive, field), normalize: true },
          on: null,
        },
        {
          key: mmKey,
          table: { kind: "collection", name: relCollection.name },
          on: { kind: "compare", op: "=", left: idCol(mmKey), right: { kind: "eachValue", source: je } },
        },
      );
    }
    this.mmActive = mmKey;
  }

  private backRelation(prop: string, backCollection: Collection, backField: RelationField): void {
    const key = `${this.alias}_${prop}${this.scope.suffix}`;
    const multiple = isMultiple(backField);
    const onFor = (k: string, parent: Source): Condition =>
      multiple
        ? {
            kind: "inJsonArray",
            value: { kind: "column", source: parent, column: "id", fieldType: "text" },
            array: column(k, backField),
          }
        : {
            kind: "compare",
            op: "=",
            left: column(k, backField),
            right: { kind: "column", source: parent, column: "id", fieldType: "text" },
          };
    this.join(key, { kind: "collection", name: backCollection.name }, onFor(key, this.source));
    if (multiple) this.withMultiMatch = true;
    else if (!this.withMultiMatch) {
      // a back-relation through a field without a unique index may yield several rows
      this.withMultiMatch = !hasSingleColumnUniqueIndex(backCollection.indexes, backField.name);
    }
    this.collection = backCollection;
    this.alias = key;
    this.source = key;
    const mmKey = `${this.mmActive}_${prop}${this.scope.suffix}`;
    this.mmJoins.push({
      key: mmKey,
      table: { kind: "collection", name: backCollection.name },
      on: onFor(mmKey, this.mmActive),
    });
    this.mmActive = mmKey;
  }

  private finalize(prop: string): Operand {
    const [name, modifier] = splitModifier(prop);
    const collection = this.collection;
    const field = findField(collection, name);
    if (!field) return this.missing(`unknown field ${quote(name)}`);
    if (field.hidden && !this.scope.allowHidden)
      throw new FieldProblem(`non-filterable field ${quote(name)}`);

    if (modifier === "length" && isMultiValuer(field)) {
      const value: ValueExpr = {
        kind: "jsonArrayLength",
        source: this.source,
        column: field.name,
        stored: storedAs(field),
      };
      if (!this.withMultiMatch) return operand(value);
      return operand(value, {
        multiMatch: this.multiMatch({
          kind: "jsonArrayLength",
          source: this.mmActive,
          column: field.name,
          stored: storedAs(field),
        }),
      });
    }

    if (modifier === "each" && isMultiValuer(field)) {
      const je = `__je_${this.alias}_${field.name}${this.scope.suffix}`;
      this.join(je, { kind: "jsonEach", array: column(this.source, field), normalize: true }, null);
      if (isMultiple(field)) this.withMultiMatch = true;
      const value: ValueExpr = { kind: "eachValue", source: je };
      if (!this.withMultiMatch) return operand(value);
      const je2 = `__je_${this.mmActive}_${field.name}${this.scope.suffix}`;
      this.mmJoins.push({
        key: je2,
        table: { kind: "jsonEach", array: column(this.mmActive, field), normalize: true },
        on: null,
      });
      return operand(value, { multiMatch: this.multiMatch({ kind: "eachValue", source: je2 }) });
    }

    let value: ValueExpr = column(this.source, field);
    let mmValue: ValueExpr = column(this.mmActive, field);
    let nullFallback: "auto" | "disabled" = "auto";
    if (field.type === "json") {
      // json_extract so top-level JSON primitives compare like their SQL equivalents
      nullFallback = "disabled";
      value = {
        kind: "jsonExtract",
        source: this.source,
        column: field.name,
        path: [],
        stored: storedAs(field),
      };
      mmValue = {
        kind: "jsonExtract",
        source: this.mmActive,
        column: field.name,
        path: [],
        stored: storedAs(field),
      };
    }
    if (modifier === "lower") {
      value = { kind: "lower", value };
      mmValue = { kind: "lower", value: mmValue };
    }
    let afterBuild: ((c: Condition) => Condition) | undefined;
    if (field.name === "email" && collection.type === "auth" && !this.scope.allowHidden) {
      // only records whose owners made the email public can be matched by it
      const visible: Condition = {
        kind: "compare",
        op: "=",
        left: { kind: "column", source: this.source, column: "emailVisibility", fieldType: "bool" },
        right: { kind: "bool", value: true },
      };
      afterBuild = (c) => ({ kind: "and", items: [c, visible] });
    }
    return operand(value, {
      nullFallback,
      ...(this.withMultiMatch ? { multiMatch: this.multiMatch(mmValue) } : {}),
      ...(afterBuild ? { afterBuild } : {}),
    });
  }
}
