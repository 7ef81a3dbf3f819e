import type { FilterNode, OperandNode, SignOp } from "./ast.ts";
import { filterError, quote } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";

/** Bounds applied while parsing; every one is checked before work proportional to it is done. */
export interface ParseLimits {
  /** Max filter length in characters (PocketBase: 3500). */
  readonly maxLength: number;
  /** Max parenthesis nesting depth. */
  readonly maxDepth: number;
  /** Max number of comparisons (PocketBase: 200). */
  readonly maxExpressions: number;
}

/** PocketBase's limits, plus a nesting bound so hostile input cannot exhaust the stack. */
export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxLength: 3500, maxDepth: 50, maxExpressions: 200 };

// fexpr allows a function call three levels deep (f(g(h(x)))).
const MAX_FUNCTION_DEPTH = 3;

function describe(t: Token): string {
  switch (t.type) {
    case "eof":
      return "end of input";
    case "lparen":
      return '"("';
    case "rparen":
      return '")"';
    case "comma":
      return '","';
    case "call":
      return `function ${quote(t.value)}`;
    default:
      return `${t.type} ${quote(t.value)}`;
  }
}

/**
 * Parses filter text into an AST. Precedence is SQL's (`&&` binds tighter than `||`), which is what
 * PocketBase gets by emitting fexpr's flat list into SQL. Errors are `invalid_input` with a 0-based position.
 */
export function parseFilter(text: string, limits: Partial<ParseLimits> = {}): FilterNode {
  const lim = { ...DEFAULT_PARSE_LIMITS, ...limits };
  if (typeof text !== "string") throw filterError("expected a string");
  if (text.length > lim.maxLength) {
    throw filterError(`the filter is longer than ${lim.maxLength} characters`);
  }
  const tokens = tokenize(text);
  let i = 0;
  let expressions = 0;
  const peek = (): Token => tokens[i]!;
  const next = (): Token => tokens[i++]!;

  function orExpr(depth: number): FilterNode {
    const items = [andExpr(depth)];
    while (peek().type === "join" && (peek() as { value: string }).value === "||") {
      next();
      items.push(andExpr(depth));
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  function andExpr(depth: number): FilterNode {
    const items = [primary(depth)];
    while (peek().type === "join" && (peek() as { value: string }).value === "&&") {
      next();
      items.push(primary(depth));
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  function primary(depth: number): FilterNode {
    const t = peek();
    if (t.type === "lparen") {
      if (depth >= lim.maxDepth) throw filterError(`parentheses nested deeper than ${lim.maxDepth}`, t.pos);
      next();
      if (peek().type === "rparen") throw filterError("empty parentheses", t.pos);
      const inner = orExpr(depth + 1);
      const close = next();
      if (close.type !== "rparen") throw filterError(`expected ")", got ${describe(close)}`, close.pos);
      return inner;
    }
    const left = operand(0, "left operand");
    const sign = next();
    if (sign.type !== "sign") throw filterError(`expected an operator, got ${describe(sign)}`, sign.pos);
    const right = operand(0, "right operand");
    expressions++;
    if (expressions > lim.maxExpressions) {
      throw filterError(`more than ${lim.maxExpressions} expressions`, left.pos);
    }
    return { kind: "comparison", op: sign.value as SignOp, left, right, pos: left.pos };
  }

  function operand(fnDepth: number, what: string): OperandNode {
    const t = next();
    switch (t.type) {
      case "identifier":
        return { kind: "identifier", name: t.value, pos: t.pos };
      case "text":
        return { kind: "text", value: t.value, pos: t.pos };
      case "number":
        return { kind: "number", value: Number(t.value), literal: t.value, pos: t.pos };
      case "call":
        return call(t.value, t.pos, fnDepth + 1);
      default:
        throw filterError(
          `expected ${what} (identifier, function, text or number), got ${describe(t)}`,
          t.pos,
        );
    }
  }

  function call(name: string, pos: number, fnDepth: number): OperandNode {
    if (fnDepth > MAX_FUNCTION_DEPTH) {
      throw filterError(`functions nested deeper than ${MAX_FUNCTION_DEPTH}`, pos);
    }
    const args: OperandNode[] = [];
    // fexpr: arguments separated by commas; a trailing comma is tolerated, a leading one is not.
    while (peek().type !== "rparen") {
      if (peek().type === "eof") throw filterError(`unclosed function call ${quote(name)}`, pos);
      args.push(operand(fnDepth, `argument of ${name}`));
      const sep = peek();
      if (sep.type === "comma") next();
      else if (sep.type !== "rparen") {
        throw filterError(`expected "," or ")" in function ${quote(name)}, got ${describe(sep)}`, sep.pos);
      }
    }
    next();
    return { kind: "function", name, args, pos };
  }

  if (peek().type === "eof") throw filterError("empty filter expression", 0);
  const root = orExpr(0);
  const rest = peek();
  if (rest.type !== "eof") {
    const hint = rest.type === "rparen" ? 'unbalanced ")"' : `expected && or ||, got ${describe(rest)}`;
    throw filterError(hint, rest.pos);
  }
  return root;
}
