/**
 * The store ports (implemented with SQLite in `storage/sqlite/`, one module per port): the data
 * of residents, their messages, the staff queue, conversation state, staff accounts, usage
 * statistics, credentials, seen events and maintenance; `Store` is all of them together.
 * Users are pseudonymous: `key` is a keyed hash of channel + the channel's user id. The raw chat
 * id (`deliveryAddress`) is kept only while a staff answer may still have to be delivered.
 * Text that may identify people (question text, staff answers, feedback reasons) is masked by the
 * store itself before it is written (see core/privacy/mask.ts).
 */
import type { Channel } from "./channel.js";
import type { JobQueue } from "./jobs.js";

export type { Channel } from "./channel.js";

/** How long accepted webhook event ids are remembered for de-duplication (days). */
export const SEEN_EVENT_DAYS = 2;

/** What the user agreed to about storing their question text. */
export interface Consent {
  readonly granted: boolean;
  /** Version of the privacy notice the user saw (NOTICE_VERSION in core/privacy/notice.ts). */
  readonly noticeVersion: string;
  /** ISO timestamp of the choice. */
  readonly at: string;
}

export interface UserRecord {
  readonly key: string;
  readonly channel: Channel;
  /** null until the user answered the privacy notice. */
  readonly consent: Consent | null;
  /** Commune chosen by the user (/xa), null = the service default. */
  readonly commune: string | null;
  readonly createdAt: string;
}

export type AnswerKindStored = "faq" | "extractive" | "generative" | "refusal" | "handoff" | "smalltalk" | "clarify" | "flow" | "staff";

export interface MessageInput {
  readonly userKey: string;
  readonly channel: Channel;
  /** The question as typed; the store keeps it (masked) only if the user consented, else null. */
  readonly question: string;
  readonly kind: AnswerKindStored;
  readonly confidence: number | null;
  readonly commune: string | null;
  /** Knowledge document ids cited by the answer. */
  readonly sources: readonly string[];
  readonly latencyMs: number;
}

export interface MessageRecord {
  readonly id: number;
  readonly userKey: string;
  readonly channel: Channel;
  /** Masked question text, or null when the user had not consented. */
  readonly question: string | null;
  readonly kind: AnswerKindStored;
  readonly confidence: number | null;
  readonly commune: string | null;
  readonly sources: readonly string[];
  readonly latencyMs: number;
  readonly createdAt: string;
}

export type Rating = "up" | "down";

export interface FeedbackInput {
  readonly messageId: number;
  readonly userKey: string;
  readonly rating: Rating;
  readonly reason?: string | null;
}

export type QueueStatus = "open" | "answered" | "closed";
export type QueueReason = "unanswered" | "requested";

export interface QueueInput {
  readonly userKey: string;
  readonly channel: Channel;
  readonly question: string;
  readonly reason: QueueReason;
  readonly messageId?: number | null;
  readonly commune?: string | null;
  /** Raw chat/user id to deliver the staff answer to; kept only until delivered or user deleted. */
  readonly deliveryAddress?: string | null;
}

export interface QueueItem {
  readonly id: number;
  readonly userKey: string;
  readonly channel: Channel;
  readonly question: string;
  readonly reason: QueueReason;
  readonly messageId: number | null;
  readonly commune: string | null;
  readonly status: QueueStatus;
  readonly staffAnswer: string | null;
  readonly answeredBy: string | null;
  readonly answeredAt: string | null;
  /** null before an answer; true once the channel delivered it; false if it could not. */
  readonly delivered: boolean | null;
  readonly deliveryAddress: string | null;
  readonly createdAt: string;
}

/** A console account (the password hash is read separately, only for sign-in). */
export interface StaffAccount {
  readonly username: string;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

/** What the console's statistics page shows. Days are calendar days in Vietnam time (UTC+7). */
export interface UsageStats {
  readonly days: number;
  /** Every day in the range, oldest first, zeros included. */
  readonly perDay: ReadonlyArray<{ readonly day: string; readonly questions: number; readonly handoffs: number }>;
  readonly byKind: Readonly<Record<AnswerKindStored, number>>;
  /** Questions citing each knowledge document, most cited first. */
  readonly bySource: ReadonlyArray<{ readonly docId: string; readonly questions: number }>;
  readonly feedback: { readonly up: number; readonly down: number };
  /** Most asked questions (consented, masked text only), grouped without case and diacritics. */
  readonly topQuestions: ReadonlyArray<{ readonly question: string; readonly count: number }>;
  /** Answers the bot was least sure of (refusals left out). */
  readonly lowestConfidence: ReadonlyArray<{
    readonly messageId: number;
    readonly question: string | null;
    readonly kind: AnswerKindStored;
    readonly confidence: number;
    readonly channel: Channel;
    readonly createdAt: string;
  }>;
  readonly queue: { readonly open: number; readonly answered: number; readonly undelivered: number };
}

/** Counts of rows removed by a deletion or a purge, by table. */
export type RemovalCounts = Readonly<Record<string, number>>;

/** One rating a user gave (with the reason typed after a 👎, masked, kept only with consent). */
export interface FeedbackRecord {
  readonly messageId: number;
  readonly rating: Rating;
  readonly reason: string | null;
  readonly createdAt: string;
}

/**
 * Every row stored about one user, as kept (texts already masked), for the resident's right to
 * see their data. Lists are most recent first; `state` names the conversation-state rows kept
 * (chat session, guided-flow progress) without their values.
 */
export interface UserExport {
  readonly user: UserRecord;
  /** Every consent choice, most recent first (the first is the current one). */
  readonly consents: readonly Consent[];
  readonly messages: readonly MessageRecord[];
  readonly feedback: readonly FeedbackRecord[];
  readonly queue: readonly QueueItem[];
  readonly state: ReadonlyArray<{ readonly name: string; readonly updatedAt: string }>;
}

/** Whether the database answers (for /healthz). */
export interface StoreHealth {
  /** True when a trivial query succeeded. */
  readonly ok: boolean;
  /** Schema version recorded in the database, null when it could not be read. */
  readonly schemaVersion: number | null;
  /** Schema version this build migrates to. */
  readonly expectedSchemaVersion: number;
  /** Short reason when not ok (e.g. "closed"); never data. */
  readonly error?: string;
}

/**
 * The residents themselves (pseudonymous users, their consent and commune), and their rights to
 * see and to erase what is kept about them.
 */
export interface ResidentRecords {
  /** The pseudonymous key of a channel user (stable for the same secret). */
  userKey(channel: Channel, channelUserId: string): string;
  /** Creates the user on first contact; returns the stored record. */
  ensureUser(channel: Channel, channelUserId: string): UserRecord;
  getUser(key: string): UserRecord | undefined;
  setConsent(key: string, granted: boolean, noticeVersion: string): UserRecord;
  setCommune(key: string, commune: string | null): void;
  /** Everything stored about the user (the rows `deleteUser` would remove); undefined for an unknown key. */
  exportUser(key: string): UserExport | undefined;
  /**
   * Removes every row about the user (user, consent, messages, feedback, queue, state). The
   * removed bytes are overwritten in the storage files too, not only unlinked.
   */
  deleteUser(key: string): RemovalCounts;
}

/** The questions residents asked (masked, only with consent) and their ratings of the answers. */
export interface MessageLog {
  recordMessage(input: MessageInput): MessageRecord;
  getMessage(id: number): MessageRecord | undefined;
  recordFeedback(input: FeedbackInput): void;
}

/** Questions handed to commune staff, their answers and the delivery of those answers. */
export interface StaffQueue {
  /** Queues a question for staff; the text is masked; throws CONSENT_REQUIRED without consent. */
  enqueue(input: QueueInput): QueueItem;
  getQueueItem(id: number): QueueItem | undefined;
  listQueue(filter?: { status?: QueueStatus; channel?: Channel; userKey?: string; limit?: number }): QueueItem[];
  /** Closes a question without an answer (spam, duplicate, handled in person); forgets the raw address. */
  closeQueueItem(id: number, staff: string): QueueItem;
  /** Records a staff answer (masked) and who gave it; status becomes "answered". */
  answerQueueItem(id: number, answer: string, staff: string): QueueItem;
  /** After delivery (or a failed attempt): stores the outcome and forgets the raw address on success. */
  markDelivered(id: number, delivered: boolean): void;
}

/** Key–value state per key (grammY sessions, flow state); values are JSON. */
export interface ConversationState {
  getState<T>(key: string): T | undefined;
  setState<T>(key: string, value: T): void;
  deleteState(key: string): void;
}

/** Console accounts. `createStaff` throws AppError STAFF_EXISTS when the name is taken. */
export interface StaffAccounts {
  createStaff(username: string, passwordHash: string): StaffAccount;
  getStaffCredentials(username: string): { readonly account: StaffAccount; readonly passwordHash: string } | undefined;
  listStaff(): StaffAccount[];
  countStaff(): number;
  setStaffDisabled(username: string, disabled: boolean): boolean;
  setStaffPassword(username: string, passwordHash: string): boolean;
  recordStaffLogin(username: string): void;
}

export interface UsageStatistics {
  /** Usage figures for the console over the last `days` days (Vietnam time days). */
  stats(options: { days: number; now?: Date; top?: number }): UsageStats;
}

/** Rotating service credentials (JSON), e.g. the Zalo OA token pair. */
export interface Credentials {
  getCredential<T>(name: string): T | undefined;
  /** Replaces a credential in one atomic write (committed before this returns). */
  setCredential<T>(name: string, value: T): void;
}

export interface EventLog {
  /**
   * Records that an incoming event (a Zalo webhook event, a Telegram update) was accepted; false
   * when it had been seen already (a resend). Ids are kept SEEN_EVENT_DAYS days.
   */
  markEventSeen(channel: Channel, eventId: string): boolean;
}

/** Retention, health and shutdown of the database as a whole. */
export interface Maintenance {
  /**
   * Blanks or removes text older than `days` (question text, answers, reasons); returns counts.
   * Like deleteUser, it leaves no copy of the removed text in the storage files.
   */
  purge(days: number, now?: Date): RemovalCounts;
  /** Runs `SELECT 1` and reads the schema version; never throws. */
  health(): StoreHealth;
  close(): void;
}

/**
 * The whole store, as the service opens it: every port above on one database. A component
 * should ask for the ports it uses (e.g. `StaffQueue & StaffAccounts`), not for `Store`.
 */
export interface Store
  extends ResidentRecords, MessageLog, StaffQueue, ConversationState, StaffAccounts, UsageStatistics, Credentials, EventLog, Maintenance {
  /** The channels' durable work queue, on the same database (see core/jobs.ts). */
  readonly jobs: JobQueue;
}
