/**
 * StaffQueue over the store's connection: questions handed to commune staff (masked, only with
 * granted consent), their answers (masked) and delivery. The raw chat address is kept only until
 * the answer is delivered or the question is closed.
 */
import type Database from "better-sqlite3";
import { AppError } from "../../core/errors.js";
import { maskSensitive } from "../../core/privacy/mask.js";
import type { Channel, QueueInput, QueueReason, StaffQueue } from "../../core/store.js";
import { referencing, toQueueItem, type ConsentCheck, type QueueRow, type StoreClock } from "./rows.js";

export interface StaffQueueOptions extends StoreClock {
  readonly hasGrantedConsent: ConsentCheck;
}

export function createStaffQueue(db: Database.Database, options: StaffQueueOptions): StaffQueue {
  const stamp = (): string => options.now().toISOString();
  const { hasGrantedConsent } = options;
  const sql = {
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
    answerQueue: db.prepare<[string, string, string, number], QueueRow>(`
      UPDATE staff_queue SET status = 'answered', staff_answer = ?, answered_by = ?, answered_at = ?, delivered = NULL
      WHERE id = ? RETURNING *`),
    markDelivered: db.prepare<[number]>("UPDATE staff_queue SET delivered = 1, delivery_address = NULL WHERE id = ?"),
    markUndelivered: db.prepare<[number]>("UPDATE staff_queue SET delivered = 0 WHERE id = ?"),
  };

  return {
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

    answerQueueItem(id, answer, staff) {
      const row = sql.answerQueue.get(maskSensitive(answer), staff, stamp(), id);
      if (!row) throw new AppError("NOT_FOUND", `unknown queue item ${id}`);
      return toQueueItem(row);
    },

    markDelivered(id, delivered) {
      const result = delivered ? sql.markDelivered.run(id) : sql.markUndelivered.run(id);
      if (result.changes === 0) throw new AppError("NOT_FOUND", `unknown queue item ${id}`);
    },
  };
}
