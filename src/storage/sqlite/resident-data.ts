/**
 * A resident's rights over their data: everything kept about them (export) and its erasure,
 * across every table that holds a row about them. Erasure leaves no copy of the removed text in
 * the file (secure_delete) nor in the WAL (truncated right after).
 */
import type Database from "better-sqlite3";
import type { Rating, RemovalCounts, ResidentRecords, UserExport, UserRecord } from "../../core/store.js";
import { truncateWal } from "./database.js";
import { toMessage, toQueueItem, type MessageRow, type QueueRow } from "./rows.js";

/** Rows removed by `deleteUser`, by table (`queue` = staff_queue). */
export type DeleteUserCounts = Readonly<Record<"users" | "consents" | "messages" | "feedback" | "queue" | "state", number>>;

export function createResidentData(
  db: Database.Database,
  getUser: (key: string) => UserRecord | undefined,
): Pick<ResidentRecords, "exportUser" | "deleteUser"> {
  const sql = {
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
  };

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

  return {
    exportUser(key) {
      return exportUser.deferred(key);
    },

    deleteUser(key): RemovalCounts {
      const counts = deleteUser.immediate(key);
      truncateWal(db);
      return counts;
    },
  };
}
