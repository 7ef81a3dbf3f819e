import type { Field } from "../../../core/collections/field.ts";
import type { StoreCapabilities } from "../../../core/ports.ts";

/**
 * What differs between SQL databases. The shared SQL store and the filter compiler only ask this
 * interface; dialect-specific code lives in adapters/store/<dialect>/.
 */
export interface SqlDialect {
  readonly capabilities: StoreCapabilities;
  /** Quotes an identifier (already checked against the schema). */
  quoteIdent(name: string): string;
  /** The placeholder for the n-th (1-based) bound parameter. */
  placeholder(n: number): string;
  /** Column definition (type, default, constraint) for a field, without the name. */
  columnDefinition(field: Field): string;
  /** A value as bound for a field (bool → 0/1 on SQLite, arrays/objects → JSON text ...). */
  encodeValue(field: Field, value: unknown): unknown;
  /** A stored value back to JS (0/1 → bool, JSON text → value ...). */
  decodeValue(field: Field, raw: unknown): unknown;
}
