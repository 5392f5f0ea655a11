import type Database from "better-sqlite3";

/**
 * Schema migrations for the shared store, applied in order. Migration `i` (0-based) brings the
 * database to `PRAGMA user_version = i + 1`. Never edit a released migration: append a new one.
 */
/**
 * A migration that rebuilds a table (SQLite cannot alter a CHECK constraint in place): it runs
 * with foreign-key enforcement off, as SQLite's documented twelve-step procedure requires, and
 * the foreign keys are checked before its transaction commits.
 */
export interface RebuildMigration {
  readonly sql: string;
  readonly rebuildsTables: true;
}

export const MIGRATIONS: ReadonlyArray<string | RebuildMigration> = [
  `
  CREATE TABLE users (
    key        TEXT PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo', 'web')),
    commune    TEXT,
    created_at TEXT NOT NULL
  ) STRICT;

  -- Every choice is kept (history); the row with the highest id is the user's current consent.
  CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    user_key       TEXT NOT NULL REFERENCES users(key),
    granted        INTEGER NOT NULL CHECK (granted IN (0, 1)),
    notice_version TEXT NOT NULL,
    at             TEXT NOT NULL
  ) STRICT;
  CREATE INDEX consents_user ON consents(user_key, id);

  CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    user_key    TEXT NOT NULL REFERENCES users(key),
    channel     TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo', 'web')),
    question    TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('faq', 'extractive', 'generative', 'refusal', 'handoff', 'flow', 'staff')),
    confidence  REAL,
    commune     TEXT,
    sources     TEXT NOT NULL DEFAULT '[]',
    latency_ms  REAL NOT NULL,
    created_at  TEXT NOT NULL
  ) STRICT;
  CREATE INDEX messages_user ON messages(user_key);
  CREATE INDEX messages_created ON messages(created_at);

  CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    user_key   TEXT NOT NULL REFERENCES users(key),
    rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reason     TEXT,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX feedback_user ON feedback(user_key);
  CREATE INDEX feedback_message ON feedback(message_id);
  CREATE INDEX feedback_created ON feedback(created_at);

  CREATE TABLE staff_queue (
    id               INTEGER PRIMARY KEY,
    user_key         TEXT NOT NULL REFERENCES users(key),
    channel          TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo', 'web')),
    question         TEXT NOT NULL,
    reason           TEXT NOT NULL CHECK (reason IN ('unanswered', 'requested')),
    message_id       INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    commune          TEXT,
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    staff_answer     TEXT,
    answered_by      TEXT,
    answered_at      TEXT,
    delivered        INTEGER CHECK (delivered IN (0, 1)),
    delivery_address TEXT,
    created_at       TEXT NOT NULL
  ) STRICT;
  CREATE INDEX staff_queue_status ON staff_queue(status, id);
  CREATE INDEX staff_queue_user ON staff_queue(user_key);
  CREATE INDEX staff_queue_message ON staff_queue(message_id);
  CREATE INDEX staff_queue_created ON staff_queue(created_at);

  CREATE TABLE state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX state_updated ON state(updated_at);
  `,
  `
  -- Service credentials that rotate at run time (the Zalo OA token pair). One row per name; a
  -- single UPSERT replaces the whole value, so a crash never leaves half a pair.
  CREATE TABLE credentials (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;

  -- Webhook deliveries already accepted (by the channel's event id), so a resent event is answered once.
  CREATE TABLE seen_events (
    channel  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (channel, event_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX seen_events_at ON seen_events(at);
  `,
  `
  -- Commune staff who sign in to the console. Only a scrypt hash of the password is kept.
  CREATE TABLE staff (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    last_login_at TEXT
  ) STRICT;
  `,
  {
    // Answers of two more kinds are recorded: small talk ("xin chào") and "did you mean".
    rebuildsTables: true,
    sql: `
  CREATE TABLE messages_new (
    id          INTEGER PRIMARY KEY,
    user_key    TEXT NOT NULL REFERENCES users(key),
    channel     TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo', 'web')),
    question    TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('faq', 'extractive', 'generative', 'refusal', 'handoff', 'smalltalk', 'clarify', 'flow', 'staff')),
    confidence  REAL,
    commune     TEXT,
    sources     TEXT NOT NULL DEFAULT '[]',
    latency_ms  REAL NOT NULL,
    created_at  TEXT NOT NULL
  ) STRICT;
  INSERT INTO messages_new (id, user_key, channel, question, kind, confidence, commune, sources, latency_ms, created_at)
    SELECT id, user_key, channel, question, kind, confidence, commune, sources, latency_ms, created_at FROM messages;
  DROP TABLE messages;
  ALTER TABLE messages_new RENAME TO messages;
  CREATE INDEX messages_user ON messages(user_key);
  CREATE INDEX messages_created ON messages(created_at);
  `,
  },
  `
  -- Acknowledged webhook events still to be answered (core/jobs.ts). A row is written in the
  -- transaction that marks the event seen, before the 200, and deleted once the answer went out.
  -- payload and progress are AES-256-GCM ciphertext (they may hold what a resident typed);
  -- order_key is a keyed hash (one resident's jobs run in order). Times are epoch milliseconds.
  CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo', 'web')),
    event_id    TEXT NOT NULL,
    order_key   TEXT NOT NULL,
    payload     BLOB NOT NULL,
    progress    BLOB,
    attempts    INTEGER NOT NULL DEFAULT 0,
    run_at      INTEGER NOT NULL,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (channel, event_id)
  ) STRICT;
  CREATE INDEX jobs_order ON jobs(channel, order_key, id);
  CREATE INDEX jobs_due ON jobs(channel, run_at);
  `,
];

/** Latest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to SCHEMA_VERSION: each pending migration and its `user_version` bump run in one
 * IMMEDIATE transaction, so a crash or a second process never sees a half-applied step.
 * Returns the versions applied (empty when already current). Throws if the file is newer than
 * this build.
 */
export function migrate(db: Database.Database): number[] {
  const applied: number[] = [];
  const step = db.transaction((target: number, migration: string | RebuildMigration): boolean => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    if (userVersion(db) >= target) return false;
    db.exec(typeof migration === "string" ? migration : migration.sql);
    if (typeof migration !== "string") {
      const broken = db.pragma("foreign_key_check") as unknown[];
      if (broken.length) throw new Error(`migration ${target} would break ${broken.length} foreign-key references`);
    }
    db.pragma(`user_version = ${target}`);
    return true;
  });
  const current = userVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this build (${SCHEMA_VERSION})`);
  }
  MIGRATIONS.forEach((migration, index) => {
    const target = index + 1;
    if (target <= current) return;
    // Foreign-key enforcement can only be switched outside a transaction.
    const rebuild = typeof migration !== "string";
    const enforced = rebuild && (db.pragma("foreign_keys", { simple: true }) as number) === 1;
    if (enforced) db.pragma("foreign_keys = OFF");
    try {
      if (step.immediate(target, migration)) applied.push(target);
    } finally {
      if (enforced) db.pragma("foreign_keys = ON");
    }
  });
  return applied;
}

/** The schema version recorded in the database file (0 for a new file). */
export function userVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}
