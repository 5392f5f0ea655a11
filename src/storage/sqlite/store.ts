/**
 * The SQLite store: one connection to `<dataDir>/tro-ly-so.sqlite`, and each port of
 * core/store.ts built over it by its own module. Every method is synchronous.
 */
import type { Store } from "../../core/store.js";
import { openDatabase, prepareDataDir } from "./database.js";
import { createCredentials } from "./credentials.js";
import { createEventLog } from "./events.js";
import { createSqliteJobQueue } from "./job-queue.js";
import { createMaintenance } from "./maintenance.js";
import { createMessageLog } from "./messages.js";
import { consentCheck, createResidentRecords } from "./residents.js";
import { createStaffAccounts } from "./staff-accounts.js";
import { createStaffQueue } from "./staff-queue.js";
import { createConversationState } from "./state.js";
import { createUsageStatistics } from "./stats.js";

export interface SqliteStoreOptions {
  /** Directory holding the database and the secret; created if missing. */
  readonly dataDir: string;
  /** HMAC key for user keys; default: the contents of `<dataDir>/user-key.secret`, created on first use. */
  readonly secret?: string;
  /** Clock for timestamps (tests inject one); default `new Date()`. */
  readonly now?: () => Date;
}

/**
 * Opens (creating and migrating as needed) `<dataDir>/tro-ly-so.sqlite` and returns the shared
 * Store. The connection uses WAL, foreign keys, a busy timeout and secure_delete. Refuses
 * (DATABASE_LOST) a missing or empty database that had been initialised.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const now = options.now ?? (() => new Date());
  const secret = prepareDataDir(options.dataDir, options.secret);
  const db = openDatabase(options.dataDir, () => now().toISOString());

  const clock = { now };
  const residents = createResidentRecords(db, { secret, now });
  const hasGrantedConsent = consentCheck(residents);
  return {
    ...residents,
    ...createMessageLog(db, { now, hasGrantedConsent }),
    ...createStaffQueue(db, { now, hasGrantedConsent }),
    ...createConversationState(db, clock),
    ...createStaffAccounts(db, clock),
    ...createUsageStatistics(db, clock),
    ...createCredentials(db, clock),
    ...createEventLog(db, clock),
    ...createMaintenance(db, clock),
    jobs: createSqliteJobQueue(db, { secret, now }),
  };
}
