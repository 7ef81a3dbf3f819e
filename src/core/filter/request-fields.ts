import { findField } from "../collections/collection.ts";
import type { Field } from "../collections/field.ts";
import { FieldProblem, quote } from "./errors.ts";
import type { MultiMatchQuery, ParamValue, ValueExpr } from "./ir.ts";
import { castToString } from "./like.ts";
import { type Operand, operand, paramOperand } from "./operand.ts";
import { splitModifier, registerJoin, type ResolverScope } from "./field-resolver.ts";

const MISSING = Symbol("missing");

function requestData(scope: ResolverScope): Record<string, unknown> {
  const r = scope.ctx.request;
  return {
    context: r.context,
    method: r.method,
    query: r.query,
    headers: r.headers,
    body: r.body,
    // the auth record with hidden fields and the email exposed, as PocketBase's resolver sees it
    auth: r.auth
      ? { ...r.auth.record, collectionId: r.auth.collectionId, collectionName: r.auth.collectionName }
      : null,
  };
}

function extract(data: unknown, keys: readonly string[]): unknown {
  let cur: unknown = data;
  for (const key of keys) {
    if (Array.isArray(cur)) {
      if (!/^[+-]?\d+$/.test(key)) return MISSING;
      const idx = Number(key);
      if (idx < 0 || idx >= cur.length) return MISSING;
      cur = cur[idx];
    } else if (cur !== null && typeof cur === "object") {
      if (!Object.hasOwn(cur, key)) return MISSING;
      cur = (cur as Record<string, unknown>)[key];
    } else {
      return MISSING;
    }
  }
  return cur;
}

const GO_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `@request.context|method|query.*|headers.*|body.*|auth.<plain>`: a bound value (or NULL / TRUE / FALSE). */
export function resolveStaticRequestField(scope: ResolverScope, path: readonly string[]): Operand {
  const keys = [...path];
  const [lastProp, modifier] = splitModifier(keys[keys.length - 1]!);
  keys[keys.length - 1] = lastProp;
  const raw = extract(requestData(scope), keys);
  if (modifier === "isset") return operand({ kind: "bool", value: raw !== MISSING });

  let value: ParamValue;
  if (raw === MISSING || raw === null || raw === undefined) value = null;
  else if (typeof raw === "string") {
    value = raw;
    // multipart bodies send numbers as text: cast when the collection has a number field of that name
    if (findField(scope.base, lastProp)?.type === "number" && GO_FLOAT.test(raw)) value = Number(raw);
  } else if (typeof raw === "number" || typeof raw === "boolean") value = raw;
  else value = JSON.stringify(raw) ?? null;

  if (modifier !== "" && modifier !== "lower") {
    throw new FieldProblem(
      `the :${modifier} modifier can't be used with ${quote(`@request.${path.join(".")}`)}`,
    );
  }
  if (value === null) return operand({ kind: "null" });
  if (modifier === "lower")
    return operand({ kind: "lower", value: { kind: "param", value } }, { params: [value] });
  return paramOperand(value);
}

function toSlice(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Go's list.ToUniqueStringSlice: ids from a string, a JSON array text or an array; empty ones dropped. */
export function toUniqueStrings(v: unknown): string[] {
  let items: unknown[] = [];
  if (typeof v === "string") {
    if (v === "") items = [];
    else if (v.includes("[")) {
      try {
        const parsed: unknown = JSON.parse(v);
        items = Array.isArray(parsed) ? parsed : [v];
      } catch {
        items = [v];
      }
    } else items = [v];
  } else if (Array.isArray(v)) items = v;
  else if (v !== null && v !== undefined) items = [v];
  const out: string[] = [];
  for (const item of items) {
    const s = castToString(item);
    if (s !== "" && !out.includes(s)) out.push(s);
  }
  return out;
}

/** `@request.body.<collection field>:each|length|lower|changed`. */
export function resolveBodyModifier(
  scope: ResolverScope,
  field: Field,
  modifier: string,
  eachMultiMatch: ((key: string, array: ValueExpr) => MultiMatchQuery) | undefined,
): Operand {
  const body = scope.ctx.request.body;
  const multiValuer = field.type === "select" || field.type === "file" || field.type === "relation";
  switch (modifier) {
    case "each": {
      if (!multiValuer) throw new FieldProblem(`field ${quote(field.name)} doesn't support :each`);
      const json = JSON.stringify(toSlice(body[field.name]));
      const key = `__dataEach_je_${field.name}${scope.suffix}`;
      const array: ValueExpr = { kind: "param", value: json };
      registerJoin(scope, { key, table: { kind: "jsonEach", array, normalize: false }, on: null });
      const mm = eachMultiMatch?.(key, array);
      return operand(
        { kind: "eachValue", source: key },
        { params: [json], ...(mm ? { multiMatch: mm } : {}) },
      );
    }
    case "length":
      if (!multiValuer) throw new FieldProblem(`field ${quote(field.name)} doesn't support :length`);
      return operand({ kind: "int", value: toSlice(body[field.name]).length });
    case "lower": {
      const s = castToString(body[field.name]);
      return operand({ kind: "lower", value: { kind: "param", value: s } }, { params: [s] });
    }
    case "changed": {
      const name = field.name;
      const condition = scope.resolveText(
        `@request.body.${name}:isset = true && @request.body.${name} != ${name}`,
      );
      return operand({ kind: "condition", condition }, { nullFallback: "disabled" });
    }
    default:
      throw new FieldProblem(`unknown modifier :${modifier}`);
  }
}
