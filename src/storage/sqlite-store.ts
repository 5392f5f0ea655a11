import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { AppError } from "../core/errors.js";
import { maskSensitive } from "../core/privacy/mask.js";
import type {
  AnswerKindStored,
  Channel,
  FeedbackInput,
  MessageRecord,
  QueueInput,
  QueueItem,
  QueueReason,
  QueueStatus,
  Rating,
  RemovalCounts,
  StaffAccount,
  Store,
  UsageStats,
  UserExport,
  UserRecord,
} from "../core/store.js";
import { fold } from "../core/text/normalize.js";
import { SEEN_EVENT_DAYS } from "../core/store.js";
import { migrate, SCHEMA_VERSION, userVersion } from "./migrations.js";
import { createSqliteJobQueue } from "./sqlite-job-queue.js";

/** File name of the database inside the data directory. */
export const DATABASE_FILE = "tro-ly-so.sqlite";
/**
 * Sidecar written next to the database once it has been initialised (schema created). Its
 * presence with a missing or zero-length database means the data was lost, never a new install.
 */
export const DATABASE_MARKER_FILE = `${DATABASE_FILE}.meta.json`;
/** File name of the generated user-key secret inside the data directory (mode 0600). */
export const SECRET_FILE = "user-key.secret";
/** How long a connection waits for another process's write lock before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Vietnam time is UTC+7 all year. */
const VN_OFFSET_MS = 7 * 60 * 60 * 1000;

interface StaffRow {
  username: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

function toStaff(row: StaffRow): StaffAccount {
  return { username: row.username, disabled: row.disabled === 1, createdAt: row.created_at, lastLoginAt: row.last_login_at };
}

export interface SqliteStoreOptions {
  /** Directory holding the database and the secret; created if missing. */
  readonly dataDir: string;
  /** HMAC key for user keys; default: the contents of `<dataDir>/user-key.secret`, created on first use. */
  readonly secret?: string;
  /** Clock for timestamps (tests inject one); default `new Date()`. */
  readonly now?: () => Date;
}

/** Rows removed by `deleteUser`, by table (`queue` = staff_queue). */
export type DeleteUserCounts = Readonly<Record<"users" | "consents" | "messages" | "feedback" | "queue" | "state", number>>;

/** Rows blanked (messages, feedback) or deleted (queue, state) by `purge`, by table. */
export type PurgeCounts = Readonly<Record<"messages" | "feedback" | "queue" | "state", number>>;

interface UserRow {
  key: string;
  channel: Channel;
  commune: string | null;
  created_at: string;
  granted: number | null;
  notice_version: string | null;
  at: string | null;
}

interface MessageRow {
  id: number;
  user_key: string;
  channel: Channel;
  question: string | null;
  kind: AnswerKindStored;
  confidence: number | null;
  commune: string | null;
  sources: string;
  latency_ms: number;
  created_at: string;
}

interface QueueRow {
  id: number;
  user_key: string;
  channel: Channel;
  question: string;
  reason: QueueReason;
  message_id: number | null;
  commune: string | null;
  status: QueueStatus;
  staff_answer: string | null;
  answered_by: string | null;
  answered_at: string | null;
  delivered: number | null;
  delivery_address: string | null;
  created_at: string;
}

/** Reads the user-key secret from `file`, creating it with 32 random bytes (hex, 0600) if absent. */
function loadOrCreateSecret(file: string): string {
  try {
    // "wx" fails when the file exists, so two processes starting together keep one secret.
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const secret = readFileSync(file, "utf8").trim();
  if (secret.length === 0) throw new AppError("CONFIG_INVALID", `${SECRET_FILE} is empty`);
  return secret;
}

/** Runs an insert; a foreign-key failure (unknown user key or message id) becomes NOT_FOUND. */
function referencing<T>(what: string, insert: () => T): T {
  try {
    return insert();
  } catch (err) {
    if (err instanceof Database.SqliteError && err.code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
      throw new AppError("NOT_FOUND", `${what} refers to an unknown user or message`, { cause: err });
    }
    throw err;
  }
}

function toUser(row: UserRow): UserRecord {
  return {
    key: row.key,
    channel: row.channel,
    consent: row.at === null ? null : { granted: row.granted === 1, noticeVersion: row.notice_version ?? "", at: row.at },
    commune: row.commune,
    createdAt: row.created_at,
  };
}

function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    userKey: row.user_key,
    channel: row.channel,
    question: row.question,
    kind: row.kind,
    confidence: row.confidence,
    commune: row.commune,
    sources: JSON.parse(row.sources) as string[],
    latencyMs: row.latency_ms,
    createdAt: row.created_at,
  };
}

function toQueueItem(row: QueueRow): QueueItem {
  return {
    id: row.id,
    userKey: row.user_key,
    channel: row.channel,
    question: row.question,
    reason: row.reason,
    messageId: row.message_id,
    commune: row.commune,
    status: row.status,
    staffAnswer: row.staff_answer,
    answeredBy: row.answered_by,
    answeredAt: row.answered_at,
    delivered: row.delivered === null ? null : row.delivered === 1,
    deliveryAddress: row.delivery_address,
    createdAt: row.created_at,
  };
}

/**
 * Throws AppError DATABASE_LOST when `<dataDir>/tro-ly-so.sqlite` is missing or zero-length
 * although DATABASE_MARKER_FILE says it had been initialised: SQLite would silently start a new,
 * empty database there. A new install (no marker) passes.
 */
export function checkDatabaseFile(dataDir: string): void {
  const dbFile = path.join(dataDir, DATABASE_FILE);
  const marker = path.join(dataDir, DATABASE_MARKER_FILE);
  if (!existsSync(marker)) return;
  let size: number | null = null;
  try {
    size = statSync(dbFile).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (size !== null && size > 0) return;
  const what = size === null ? "is missing" : "is empty (0 bytes)";
  const vi = size === null ? "không còn" : "rỗng (0 byte)";
  throw new AppError(
    "DATABASE_LOST",
    `database file ${dbFile} ${what} but ${marker} shows it had been initialised: refusing to start on an empty database. ` +
      "Restore the latest backup with `npm run restore -- backups/<file>.tar.gz` (to start afresh on purpose, delete both files). " +
      `— Tệp cơ sở dữ liệu ${dbFile} ${vi} trong khi ${marker} cho thấy nó đã có dữ liệu: không khởi động với cơ sở dữ liệu trống. ` +
      "Khôi phục bản sao lưu mới nhất: npm run restore -- backups/<tệp>.tar.gz (muốn bắt đầu lại từ đầu thì xóa cả hai tệp).",
  );
}

/** Writes DATABASE_MARKER_FILE once; only its existence counts, so a concurrent or torn write is harmless. */
function writeMarker(dataDir: string, at: string): void {
  const body = {
    app: "tro-ly-so",
    database: DATABASE_FILE,
    initialisedAt: at,
    note: "Cơ sở dữ liệu đã được khởi tạo: nếu tệp cơ sở dữ liệu mất hoặc rỗng, dịch vụ không khởi động (khôi phục bằng npm run restore). Đừng xóa tệp này.",
  };
  try {
    writeFileSync(path.join(dataDir, DATABASE_MARKER_FILE), `${JSON.stringify(body, null, 2)}\n`, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/**
 * Folds the WAL into the database file and truncates it to zero bytes, so that page images
 * written before a deletion (which still hold the deleted text) do not linger in `-wal`. Waits
 * up to the busy timeout for readers of another connection; if one still holds the WAL then, it
 * is truncated at the next deletion, the next retention purge (daily) or when the last
 * connection closes.
 */
function truncateWal(db: Database.Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * Opens (creating and migrating as needed) `<dataDir>/tro-ly-so.sqlite` and returns the shared
 * Store. The connection uses WAL, foreign keys, a busy timeout and secure_delete; every method is
 * synchronous. Refuses (DATABASE_LOST) a missing or empty database that had been initialised.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const now = options.now ?? (() => new Date());
  const stamp = (): string => now().toISOString();
  mkdirSync(options.dataDir, { recursive: true });
  const secret = options.secret ?? loadOrCreateSecret(path.join(options.dataDir, SECRET_FILE));
  if (secret.length === 0) throw new AppError("CONFIG_INVALID", "user-key secret is empty");

  checkDatabaseFile(options.dataDir);
  const db = new Database(path.join(options.dataDir, DATABASE_FILE));
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // Deleted and overwritten rows are zeroed in their pages, not just unlinked: a resident's
    // deleted questions must not stay readable in the file (or in the WAL once it is truncated).
    db.pragma("secure_delete = ON");
    const existed = userVersion(db) > 0;
    migrate(db);
    if (!existsSync(path.join(options.dataDir, DATABASE_MARKER_FILE))) {
      // A database from before secure_delete (or restored into a new folder) may hold deleted rows
      // in its free space: rebuilding it once leaves only live rows.
      if (existed) {
        db.exec("VACUUM");
        truncateWal(db);
      }
      writeMarker(options.dataDir, stamp());
    }
  } catch (err) {
    db.close();
    throw err;
  }

  const sql = {
    insertUser: db.prepare<[string, Channel, string]>("INSERT OR IGNORE INTO users (key, channel, created_at) VALUES (?, ?, ?)"),
    getUser: db.prepare<[string], UserRow>(`
      SELECT u.key, u.channel, u.commune, u.created_at, c.granted, c.notice_version, c.at
      FROM users u
      LEFT JOIN consents c ON c.id = (SELECT max(id) FROM consents WHERE user_key = u.key)
      WHERE u.key = ?`),
    insertConsent: db.prepare<[string, number, string, string]>("INSERT INTO consents (user_key, granted, notice_version, at) VALUES (?, ?, ?, ?)"),
    setCommune: db.prepare<[string | null, string]>("UPDATE users SET commune = ? WHERE key = ?"),

    insertMessage: db.prepare<[string, Channel, string | null, AnswerKindStored, number | null, string | null, string, number, string], MessageRow>(`
      INSERT INTO messages (user_key, channel, question, kind, confidence, commune, sources, latency_ms, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`),
    getMessage: db.prepare<[number], MessageRow>("SELECT * FROM messages WHERE id = ?"),
    insertFeedback: db.prepare<[number, string, string, string | null, string]>(
      "INSERT INTO feedback (message_id, user_key, rating, reason, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    findFeedback: db.prepare<[number, string]>("SELECT id, rating, reason FROM feedback WHERE message_id = ? AND user_key = ? ORDER BY id DESC LIMIT 1"),
    updateFeedback: db.prepare<[string, string | null, string, number]>("UPDATE feedback SET rating = ?, reason = ?, created_at = ? WHERE id = ?"),

    insertQueue: db.prepare<[string, Channel, string, QueueReason, number | null, string | null, string | null, string], QueueRow>(`
      INSERT INTO staff_queue (user_key, channel, question, reason, message_id, commune, delivery_address, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`),
    getQueue: db.prepare<[number], QueueRow>("SELECT * FROM staff_queue WHERE id = ?"),
    listQueue: db.prepare<[{ status: string | null; channel: string | null; userKey: string | null; limit: number }], QueueRow>(
      "SELECT * FROM staff_queue WHERE (@status IS NULL OR status = @status) AND (@channel IS NULL OR channel = @channel) AND (@userKey IS NULL OR user_key = @userKey) ORDER BY id LIMIT @limit",
    ),
    closeQueue: db.prepare<[string, string, number], QueueRow>(
      "UPDATE staff_queue SET status = 'closed', answered_by = ?, answered_at = ?, delivery_address = NULL WHERE id = ? RETURNING *",
    ),

    insertStaff: db.prepare<[string, string, string]>("INSERT INTO staff (username, password_hash, created_at) VALUES (?, ?, ?)"),
    getStaff: db.prepare<[string], StaffRow>("SELECT * FROM staff WHERE username = ?"),
    listStaff: db.prepare<[], StaffRow>("SELECT * FROM staff ORDER BY username"),
    countStaff: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM staff"),
    setStaffDisabled: db.prepare<[number, string]>("UPDATE staff SET disabled = ? WHERE username = ?"),
    setStaffPassword: db.prepare<[string, string]>("UPDATE staff SET password_hash = ? WHERE username = ?"),
    staffLogin: db.prepare<[string, string]>("UPDATE staff SET last_login_at = ? WHERE username = ?"),

    // Statistics. Days are Vietnam calendar days: UTC+7 all year (no daylight saving).
    statsPerDay: db.prepare<[string], { day: string; questions: number; handoffs: number }>(`
      SELECT substr(datetime(created_at, '+7 hours'), 1, 10) AS day, count(*) AS questions, sum(kind = 'handoff') AS handoffs
      FROM messages WHERE created_at >= ? GROUP BY day ORDER BY day`),
    statsByKind: db.prepare<[string], { kind: AnswerKindStored; n: number }>("SELECT kind, count(*) AS n FROM messages WHERE created_at >= ? GROUP BY kind"),
    statsBySource: db.prepare<[string], { docId: string; questions: number }>(`
      SELECT j.value AS docId, count(DISTINCT m.id) AS questions
      FROM messages m, json_each(m.sources) j WHERE m.created_at >= ? GROUP BY j.value ORDER BY questions DESC, docId`),
    statsFeedback: db.prepare<[string], { rating: string; n: number }>("SELECT rating, count(*) AS n FROM feedback WHERE created_at >= ? GROUP BY rating"),
    statsQuestions: db.prepare<[string], { question: string }>(
      "SELECT question FROM messages WHERE created_at >= ? AND question IS NOT NULL ORDER BY id DESC LIMIT 20000",
    ),
    statsLowest: db.prepare<[string, number], MessageRow>(`
      SELECT * FROM messages WHERE created_at >= ? AND confidence IS NOT NULL AND kind NOT IN ('refusal', 'flow', 'staff')
      ORDER BY confidence ASC, id DESC LIMIT ?`),
    statsQueue: db.prepare<[], { open: number; answered: number; undelivered: number }>(`
      SELECT coalesce(sum(status = 'open'), 0) AS open, coalesce(sum(status = 'answered'), 0) AS answered,
             coalesce(sum(status = 'answered' AND delivered = 0), 0) AS undelivered FROM staff_queue`),
    answerQueue: db.prepare<[string, string, string, number], QueueRow>(`
      UPDATE staff_queue SET status = 'answered', staff_answer = ?, answered_by = ?, answered_at = ?, delivered = NULL
      WHERE id = ? RETURNING *`),
    markDelivered: db.prepare<[number]>("UPDATE staff_queue SET delivered = 1, delivery_address = NULL WHERE id = ?"),
    markUndelivered: db.prepare<[number]>("UPDATE staff_queue SET delivered = 0 WHERE id = ?"),

    getState: db.prepare<[string], { value: string }>("SELECT value FROM state WHERE key = ?"),
    setState: db.prepare<[string, string, string]>(
      "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ),
    deleteState: db.prepare<[string]>("DELETE FROM state WHERE key = ?"),

    getCredential: db.prepare<[string], { value: string }>("SELECT value FROM credentials WHERE name = ?"),
    setCredential: db.prepare<[string, string, string]>(
      "INSERT INTO credentials (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    ),
    markSeen: db.prepare<[string, string, string]>("INSERT OR IGNORE INTO seen_events (channel, event_id, at) VALUES (?, ?, ?)"),
    purgeSeen: db.prepare<[string]>("DELETE FROM seen_events WHERE at < ?"),

    // Feedback left on the user's messages goes too, so deleting the messages never trips a foreign key.
    deleteUserFeedback: db.prepare<[{ key: string }]>(
      "DELETE FROM feedback WHERE user_key = @key OR message_id IN (SELECT id FROM messages WHERE user_key = @key)",
    ),
    deleteUserQueue: db.prepare<[string]>("DELETE FROM staff_queue WHERE user_key = ?"),
    deleteUserMessages: db.prepare<[string]>("DELETE FROM messages WHERE user_key = ?"),
    deleteUserConsents: db.prepare<[string]>("DELETE FROM consents WHERE user_key = ?"),
    // `key:` .. `key;` is exactly the keys starting with "key:" (';' follows ':'), and uses the primary-key index.
    deleteUserState: db.prepare<[string, string, string]>("DELETE FROM state WHERE key = ? OR (key >= ? AND key < ?)"),
    deleteUserRow: db.prepare<[string]>("DELETE FROM users WHERE key = ?"),

    purgeMessages: db.prepare<[string]>("UPDATE messages SET question = NULL WHERE created_at < ? AND question IS NOT NULL"),
    purgeFeedback: db.prepare<[string]>("UPDATE feedback SET reason = NULL WHERE created_at < ? AND reason IS NOT NULL"),
    purgeQueue: db.prepare<[string]>("DELETE FROM staff_queue WHERE created_at < ? AND status IN ('answered', 'closed')"),
    purgeState: db.prepare<[string]>("DELETE FROM state WHERE updated_at < ?"),
  };

  const hasGrantedConsent = (key: string): boolean => getUser(key)?.consent?.granted === true;

  function getUser(key: string): UserRecord | undefined {
    const row = sql.getUser.get(key);
    return row ? toUser(row) : undefined;
  }

  function requireUser(key: string): UserRecord {
    const user = getUser(key);
    if (!user) throw new AppError("NOT_FOUND", "unknown user key");
    return user;
  }

  function userKey(channel: Channel, channelUserId: string): string {
    return createHmac("sha256", secret).update(`${channel}:${channelUserId}`).digest("hex");
  }

  // What exportUser reads: the same rows deleteUser removes, in one read transaction.
  const exportSql = {
    consents: db.prepare<[string], { granted: number; notice_version: string; at: string }>(
      "SELECT granted, notice_version, at FROM consents WHERE user_key = ? ORDER BY id DESC",
    ),
    messages: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE user_key = ? ORDER BY id DESC"),
    feedback: db.prepare<[{ key: string }], { message_id: number; rating: Rating; reason: string | null; created_at: string }>(
      "SELECT message_id, rating, reason, created_at FROM feedback WHERE user_key = @key OR message_id IN (SELECT id FROM messages WHERE user_key = @key) ORDER BY id DESC",
    ),
    queue: db.prepare<[string], QueueRow>("SELECT * FROM staff_queue WHERE user_key = ? ORDER BY id DESC"),
    state: db.prepare<[string, string, string], { key: string; updated_at: string }>(
      "SELECT key, updated_at FROM state WHERE key = ? OR (key >= ? AND key < ?) ORDER BY key",
    ),
  };
  const exportUser = db.transaction((key: string): UserExport | undefined => {
    const user = getUser(key);
    if (!user) return undefined;
    return {
      user,
      consents: exportSql.consents.all(key).map((r) => ({ granted: r.granted === 1, noticeVersion: r.notice_version, at: r.at })),
      messages: exportSql.messages.all(key).map(toMessage),
      feedback: exportSql.feedback.all({ key }).map((r) => ({ messageId: r.message_id, rating: r.rating, reason: r.reason, createdAt: r.created_at })),
      queue: exportSql.queue.all(key).map(toQueueItem),
      // "<key>:telegram" → "telegram": the kind of state, never the key itself.
      state: exportSql.state.all(key, `${key}:`, `${key};`).map((r) => ({ name: r.key === key ? "" : r.key.slice(key.length + 1), updatedAt: r.updated_at })),
    };
  });

  const deleteUser = db.transaction((key: string): DeleteUserCounts => {
    const feedback = sql.deleteUserFeedback.run({ key }).changes;
    const queue = sql.deleteUserQueue.run(key).changes;
    const messages = sql.deleteUserMessages.run(key).changes;
    const consents = sql.deleteUserConsents.run(key).changes;
    const state = sql.deleteUserState.run(key, `${key}:`, `${key};`).changes;
    const users = sql.deleteUserRow.run(key).changes;
    return { users, consents, messages, feedback, queue, state };
  });

  /*
   * Retention, for rows created (state: last updated) before now - days:
   * - messages: the question text is blanked; the row stays for statistics (kind, confidence, sources).
   * - feedback: the free-text reason is blanked; the rating stays.
   * - staff_queue: answered and closed items are deleted (question, answer and any undelivered raw
   *   address go with them). Open items are kept: a citizen is still waiting for staff, and the
   *   question text is the work item itself.
   * - state: deleted (abandoned sessions and flows).
   * Users and consent history hold no text and are kept; they go only with deleteUser.
   */
  const purge = db.transaction((cutoff: string): PurgeCounts => ({
    messages: sql.purgeMessages.run(cutoff).changes,
    feedback: sql.purgeFeedback.run(cutoff).changes,
    queue: sql.purgeQueue.run(cutoff).changes,
    state: sql.purgeState.run(cutoff).changes,
  }));

  const jobs = createSqliteJobQueue(db, { secret, now });

  return {
    userKey,
    jobs,

    ensureUser(channel, channelUserId) {
      const key = userKey(channel, channelUserId);
      sql.insertUser.run(key, channel, stamp());
      return requireUser(key);
    },

    getUser,

    setConsent(key, granted, noticeVersion) {
      requireUser(key);
      sql.insertConsent.run(key, granted ? 1 : 0, noticeVersion, stamp());
      return requireUser(key);
    },

    setCommune(key, commune) {
      if (sql.setCommune.run(commune, key).changes === 0) throw new AppError("NOT_FOUND", "unknown user key");
    },

    recordMessage(input) {
      const question = hasGrantedConsent(input.userKey) ? maskSensitive(input.question) : null;
      const row = referencing("message", () =>
        sql.insertMessage.get(
          input.userKey,
          input.channel,
          question,
          input.kind,
          input.confidence,
          input.commune,
          JSON.stringify(input.sources),
          input.latencyMs,
          stamp(),
        ),
      );
      if (!row) throw new AppError("INTERNAL", "message insert returned no row");
      return toMessage(row);
    },

    getMessage(id) {
      const row = sql.getMessage.get(id);
      return row ? toMessage(row) : undefined;
    },

    recordFeedback(input: FeedbackInput) {
      const reason = input.reason == null || input.reason.trim() === "" ? null : maskSensitive(input.reason);
      // One opinion per resident and answer: a later click replaces the earlier one; a reason typed
      // after a 👎 is added to it (a reason of null keeps the reason given for the same rating).
      const existing = sql.findFeedback.get(input.messageId, input.userKey) as { id: number; rating: string; reason: string | null } | undefined;
      if (existing) {
        const kept = reason ?? (existing.rating === input.rating ? existing.reason : null);
        sql.updateFeedback.run(input.rating, kept, stamp(), existing.id);
        return;
      }
      referencing("feedback", () => sql.insertFeedback.run(input.messageId, input.userKey, input.rating, reason, stamp()));
    },

    enqueue(input: QueueInput) {
      if (!hasGrantedConsent(input.userKey)) throw new AppError("CONSENT_REQUIRED", "staff queue needs granted consent");
      const row = referencing("queue item", () =>
        sql.insertQueue.get(
          input.userKey,
          input.channel,
          maskSensitive(input.question),
          input.reason,
          input.messageId ?? null,
          input.commune ?? null,
          input.deliveryAddress ?? null,
          stamp(),
        ),
      );
      if (!row) throw new AppError("INTERNAL", "queue insert returned no row");
      return toQueueItem(row);
    },

    getQueueItem(id) {
      const row = sql.getQueue.get(id);
      return row ? toQueueItem(row) : undefined;
    },

    listQueue(filter = {}) {
      // SQLite treats a negative LIMIT as "no limit".
      const limit = filter.limit === undefined ? -1 : Math.max(0, Math.floor(filter.limit));
      return sql.listQueue.all({ status: filter.status ?? null, channel: filter.channel ?? null, userKey: filter.userKey ?? null, limit }).map(toQueueItem);
    },

    closeQueueItem(id, staff) {
      const row = sql.closeQueue.get(staff, stamp(), id);
      if (!row) throw new AppError("QUEUE_ITEM_UNKNOWN", `unknown queue item ${id}`);
      return toQueueItem(row);
    },

    createStaff(username, passwordHash) {
      try {
        sql.insertStaff.run(username, passwordHash, stamp());
      } catch (err) {
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new AppError("STAFF_EXISTS", `staff ${username} exists`);
        throw err;
      }
      return toStaff(sql.getStaff.get(username) as StaffRow);
    },

    getStaffCredentials(username) {
      const row = sql.getStaff.get(username);
      return row ? { account: toStaff(row), passwordHash: row.password_hash } : undefined;
    },

    listStaff: () => sql.listStaff.all().map(toStaff),
    countStaff: () => (sql.countStaff.get() as { n: number }).n,
    setStaffDisabled: (username, disabled) => sql.setStaffDisabled.run(disabled ? 1 : 0, username).changes === 1,
    setStaffPassword: (username, passwordHash) => sql.setStaffPassword.run(passwordHash, username).changes === 1,
    recordStaffLogin(username) {
      sql.staffLogin.run(stamp(), username);
    },

    stats({ days, now: at = now(), top = 10 }) {
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError(`stats days must be 1..366, got ${days}`);
      // Day boundaries in Vietnam time: the range starts at 00:00 (UTC+7) `days - 1` days ago.
      const localToday = new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
      const startLocal = Date.parse(`${localToday}T00:00:00Z`) - (days - 1) * DAY_MS;
      const cutoff = new Date(startLocal - VN_OFFSET_MS).toISOString();
      const counted = new Map(sql.statsPerDay.all(cutoff).map((r) => [r.day, r]));
      const perDay = Array.from({ length: days }, (_, i) => {
        const day = new Date(startLocal + i * DAY_MS).toISOString().slice(0, 10);
        const row = counted.get(day);
        return { day, questions: row?.questions ?? 0, handoffs: row?.handoffs ?? 0 };
      });
      const byKind = { faq: 0, extractive: 0, generative: 0, refusal: 0, handoff: 0, flow: 0, staff: 0 } as Record<AnswerKindStored, number>;
      for (const r of sql.statsByKind.all(cutoff)) byKind[r.kind] = r.n;
      const feedback = { up: 0, down: 0 };
      for (const r of sql.statsFeedback.all(cutoff)) if (r.rating === "up" || r.rating === "down") feedback[r.rating] = r.n;
      const groups = new Map<string, { question: string; count: number }>();
      for (const { question } of sql.statsQuestions.all(cutoff)) {
        const k = fold(question).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
        if (!k) continue;
        const g = groups.get(k);
        if (g) g.count++;
        else groups.set(k, { question, count: 1 });
      }
      const topQuestions = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, top);
      const lowestConfidence = sql.statsLowest.all(cutoff, top).map((r) => ({
        messageId: r.id,
        question: r.question,
        kind: r.kind,
        confidence: r.confidence as number,
        channel: r.channel,
        createdAt: r.created_at,
      }));
      return { days, perDay, byKind, bySource: sql.statsBySource.all(cutoff), feedback, topQuestions, lowestConfidence, queue: sql.statsQueue.get() as UsageStats["queue"] };
    },

    answerQueueItem(id, answer, staff) {
      const row = sql.answerQueue.get(maskSensitive(answer), staff, stamp(), id);
      if (!row) throw new AppError("NOT_FOUND", `unknown queue item ${id}`);
      return toQueueItem(row);
    },

    markDelivered(id, delivered) {
      const result = delivered ? sql.markDelivered.run(id) : sql.markUndelivered.run(id);
      if (result.changes === 0) throw new AppError("NOT_FOUND", `unknown queue item ${id}`);
    },

    getState<T>(key: string): T | undefined {
      const row = sql.getState.get(key);
      // The caller's T is trusted: state is only ever written by setState with the same key.
      return row ? (JSON.parse(row.value) as T) : undefined;
    },

    setState<T>(key: string, value: T): void {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) throw new TypeError(`state value for a key is not JSON-serializable (${typeof value})`);
      sql.setState.run(key, json, stamp());
    },

    deleteState(key) {
      sql.deleteState.run(key);
    },

    getCredential<T>(name: string): T | undefined {
      const row = sql.getCredential.get(name);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },

    setCredential<T>(name: string, value: T): void {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) throw new TypeError("credential value is not JSON-serializable");
      sql.setCredential.run(name, json, stamp());
    },

    markEventSeen(channel, eventId) {
      const at = now();
      // Old ids are dropped as new ones arrive, so the table stays small without a separate job.
      sql.purgeSeen.run(new Date(at.getTime() - SEEN_EVENT_DAYS * DAY_MS).toISOString());
      return sql.markSeen.run(channel, eventId, at.toISOString()).changes === 1;
    },

    exportUser(key) {
      return exportUser.deferred(key);
    },

    deleteUser(key): RemovalCounts {
      const counts = deleteUser.immediate(key);
      truncateWal(db);
      return counts;
    },

    purge(days, at = now()): RemovalCounts {
      if (!Number.isFinite(days) || days < 0) throw new RangeError(`purge days must be a non-negative number, got ${days}`);
      const counts = purge.immediate(new Date(at.getTime() - days * DAY_MS).toISOString());
      // Every run, not only when rows changed: it also finishes a truncation a reader held up earlier.
      truncateWal(db);
      return counts;
    },

    health() {
      if (!db.open) return { ok: false, schemaVersion: null, expectedSchemaVersion: SCHEMA_VERSION, error: "closed" };
      try {
        db.prepare("SELECT 1").pluck().get();
        return { ok: true, schemaVersion: userVersion(db), expectedSchemaVersion: SCHEMA_VERSION };
      } catch (err) {
        return { ok: false, schemaVersion: null, expectedSchemaVersion: SCHEMA_VERSION, error: (err as { code?: string }).code ?? "query failed" };
      }
    },

    close() {
      if (db.open) db.close();
    },
  };
}
