export { createPostgresStore } from "./create-postgres-store.ts";
export type { PostgresDriverOptions } from "./postgres-driver.ts";
