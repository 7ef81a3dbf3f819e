import type { Collection } from "../../../core/collections/collection.ts";
import type { Field } from "../../../core/collections/field.ts";
import type { StoreCapabilities } from "../../../core/ports.ts";
import type { DriverErrorKind } from "./sql-driver.ts";

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
  /** SQL for "rows in random order". */
  randomOrder(): string;
}

/** Dialect-specific DDL for keeping a collection's table in step with its definition. */
export interface SqlSchemaDialect {
  /** Statements that bring a record table (or view) from `previous` to `next`; run in one transaction. */
  syncStatements(previous: Collection | null, next: Collection | null): readonly string[];
  /** Statements creating the system tables if missing. */
  systemTableStatements(): readonly string[];
  /** Classifies a driver error (unique violation, busy ...). */
  classifyError(err: unknown): DriverErrorKind;
}
