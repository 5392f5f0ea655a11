/**
 * The SQLite store, as the service, the command-line tools and the tests open it. The
 * implementation lives in `storage/sqlite/`, one module per port of core/store.ts.
 */
export { checkDatabaseFile, DATABASE_FILE, DATABASE_MARKER_FILE, SECRET_FILE } from "./sqlite/database.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite/store.js";
export type { DeleteUserCounts } from "./sqlite/resident-data.js";
export type { PurgeCounts } from "./sqlite/maintenance.js";
