/** The narrow connection interface the shared SQL store runs on; one implementation per database. */
export interface SqlDriver {
  /** Runs a query and returns its rows (reads; also writes with RETURNING). */
  all(
    sql: string,
    params: readonly unknown[],
    options?: StatementOptions,
  ): Promise<Record<string, unknown>[]>;
  /** Runs a statement that returns no rows; resolves to the number of changed rows. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /** Runs `fn` on one connection inside BEGIN … COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
  /** Tells the driver tables changed shape, so cached prepared statements must not be reused. */
  schemaChanged?(): void;
  close(): Promise<void>;
}

/** One connection with an open transaction. */
/** How a statement is run. */
export interface StatementOptions {
  /**
   * Its text is unlikely to be run again (built for the case at hand, such as a realtime check of
   * the subscribers of the moment): it is not kept prepared, so it never pushes out statements that are.
   */
  readonly oneOff?: boolean;
}

export interface SqlConnection {
  all(
    sql: string,
    params: readonly unknown[],
    options?: StatementOptions,
  ): Promise<Record<string, unknown>[]>;
  run(sql: string, params: readonly unknown[]): Promise<number>;
}

/** A database error translated to something the store can act on. */
export type DriverErrorKind =
  | { readonly kind: "unique"; readonly table: string; readonly columns: readonly string[] }
  | { readonly kind: "busy" }
  | { readonly kind: "other" };
