/** Row shapes of the store's tables and their conversion to the core records, shared by the port modules. */
import Database from "better-sqlite3";
import { AppError } from "../../core/errors.js";
import type { AnswerKindStored, Channel, MessageRecord, QueueItem, QueueReason, QueueStatus, UserRecord } from "../../core/store.js";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The clock every port reads its timestamps from (tests inject one). */
export interface StoreClock {
  readonly now: () => Date;
}

/** Whether the user's latest consent choice granted storing their text. */
export type ConsentCheck = (userKey: string) => boolean;

export interface UserRow {
  key: string;
  channel: Channel;
  commune: string | null;
  created_at: string;
  granted: number | null;
  notice_version: string | null;
  at: string | null;
}

export interface MessageRow {
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

export interface QueueRow {
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

/** Runs an insert; a foreign-key failure (unknown user key or message id) becomes NOT_FOUND. */
export function referencing<T>(what: string, insert: () => T): T {
  try {
    return insert();
  } catch (err) {
    if (err instanceof Database.SqliteError && err.code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
      throw new AppError("NOT_FOUND", `${what} refers to an unknown user or message`, { cause: err });
    }
    throw err;
  }
}

export function toUser(row: UserRow): UserRecord {
  return {
    key: row.key,
    channel: row.channel,
    consent: row.at === null ? null : { granted: row.granted === 1, noticeVersion: row.notice_version ?? "", at: row.at },
    commune: row.commune,
    createdAt: row.created_at,
  };
}

export function toMessage(row: MessageRow): MessageRecord {
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

export function toQueueItem(row: QueueRow): QueueItem {
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
