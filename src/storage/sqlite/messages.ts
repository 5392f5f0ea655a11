/**
 * MessageLog over the store's connection: the questions residents asked (the text masked, and
 * kept only with granted consent) and their one opinion per answer.
 */
import type Database from "better-sqlite3";
import { AppError } from "../../core/errors.js";
import { maskSensitive } from "../../core/privacy/mask.js";
import type { AnswerKindStored, Channel, FeedbackInput, MessageLog } from "../../core/store.js";
import { referencing, toMessage, type ConsentCheck, type MessageRow, type StoreClock } from "./rows.js";

export interface MessageLogOptions extends StoreClock {
  readonly hasGrantedConsent: ConsentCheck;
}

export function createMessageLog(db: Database.Database, options: MessageLogOptions): MessageLog {
  const stamp = (): string => options.now().toISOString();
  const { hasGrantedConsent } = options;
  const sql = {
    insertMessage: db.prepare<[string, Channel, string | null, AnswerKindStored, number | null, string | null, string, number, string], MessageRow>(`
      INSERT INTO messages (user_key, channel, question, kind, confidence, commune, sources, latency_ms, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`),
    getMessage: db.prepare<[number], MessageRow>("SELECT * FROM messages WHERE id = ?"),
    insertFeedback: db.prepare<[number, string, string, string | null, string]>(
      "INSERT INTO feedback (message_id, user_key, rating, reason, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    findFeedback: db.prepare<[number, string]>("SELECT id, rating, reason FROM feedback WHERE message_id = ? AND user_key = ? ORDER BY id DESC LIMIT 1"),
    updateFeedback: db.prepare<[string, string | null, string, number]>("UPDATE feedback SET rating = ?, reason = ?, created_at = ? WHERE id = ?"),
  };

  return {
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
  };
}
