export { createSqliteStore } from "./create-sqlite-store.ts";
export type { SqliteDriverOptions } from "./sqlite-driver.ts";
export { openSqliteCopySource, type SqliteCopySource } from "./sqlite-copy-source.ts";
