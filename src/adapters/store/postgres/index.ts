export { createPostgresStore } from "./create-postgres-store.ts";
export type { PostgresDriverOptions } from "./postgres-driver.ts";
export {
  openPostgresCopyTarget,
  type PostgresCopyTarget,
  type PostgresTargetContents,
} from "./postgres-copy-target.ts";
