/** The filter language's syntax tree: immutable tagged unions produced by the parser. */

/** Comparison operators; the `?` forms are PocketBase's any-of operators. */
export const SIGN_OPS = [
  "=",
  "!=",
  "~",
  "!~",
  "<",
  "<=",
  ">",
  ">=",
  "?=",
  "?!=",
  "?~",
  "?!~",
  "?<",
  "?<=",
  "?>",
  "?>=",
] as const;

/** One comparison operator. */
export type SignOp = (typeof SIGN_OPS)[number];

/** An operand: identifier, quoted text, number or function call. `pos` is a 0-based offset. */
export type OperandNode =
  | { readonly kind: "identifier"; readonly name: string; readonly pos: number }
  | { readonly kind: "text"; readonly value: string; readonly pos: number }
  | { readonly kind: "number"; readonly value: number; readonly literal: string; readonly pos: number }
  | {
      readonly kind: "function";
      readonly name: string;
      readonly args: readonly OperandNode[];
      readonly pos: number;
    };

/** A boolean expression. `and`/`or` hold two or more items. */
export type FilterNode =
  | { readonly kind: "and"; readonly items: readonly FilterNode[] }
  | { readonly kind: "or"; readonly items: readonly FilterNode[] }
  | {
      readonly kind: "comparison";
      readonly op: SignOp;
      readonly left: OperandNode;
      readonly right: OperandNode;
      readonly pos: number;
    };

/** Whether a string is one of the comparison operators. */
export function isSignOp(s: string): s is SignOp {
  return (SIGN_OPS as readonly string[]).includes(s);
}

/** Whether the operator is an any-of (`?`) operator. */
export function isAnyOp(op: SignOp): boolean {
  return op.startsWith("?");
}
