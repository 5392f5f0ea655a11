/**
 * The durable work queue of the messaging channels (port; SQLite in `storage/sqlite/job-queue.ts`).
 *
 * A webhook event is acknowledged only once its job is stored: `enqueue` records the event id as
 * seen and adds the job in one transaction, so an event is either refused (and resent by the
 * platform) or kept until it has been answered. Jobs outlive the process: a restart takes up
 * what is left, including jobs a dead process had claimed.
 *
 * Jobs with the same `orderKey` (one resident) run one at a time, in the order they were
 * enqueued: a job is claimable only when no earlier job of its key is left, whether that one is
 * running or waiting to be retried. Times are the store's clock; delays are relative (ms).
 *
 * A job row is transient work, deleted by `complete`. Its payload and progress may hold what a
 * resident typed, so implementations keep them unreadable at rest (encrypted) and never log them.
 */
import type { Channel } from "./channel.js";

/** What a channel hands over when it accepts an event. */
export interface JobInput {
  readonly channel: Channel;
  /** The platform's id of the event (Zalo `msg_id`…): a resend with the same id adds nothing. */
  readonly eventId: string;
  /** Jobs with the same key run one at a time, in enqueue order (e.g. one resident's messages). */
  readonly orderKey: string;
  /** What the worker needs to do the job (JSON). */
  readonly payload: unknown;
}

/** A job claimed by a worker. */
export interface Job {
  readonly id: number;
  readonly channel: Channel;
  readonly eventId: string;
  /** The payload given to `enqueue`; undefined when it can no longer be read (the data key changed). */
  readonly payload: unknown;
  /** What the last `checkpoint` saved (JSON), null before any. */
  readonly progress: unknown;
  /** Claims so far, this one included (a claim by a process that died counts). */
  readonly attempts: number;
  /** Epoch ms when the job was enqueued. */
  readonly enqueuedAt: number;
}

export interface JobQueue {
  /**
   * Records `eventId` as seen and stores the job, in one transaction committed before this
   * returns. False, adding nothing, when the event was seen before (a resend). Event ids are
   * remembered SEEN_EVENT_DAYS days (the same table as `EventLog.markEventSeen`).
   */
  enqueue(input: JobInput): boolean;
  /**
   * Claims at most `limit` due jobs of the channel, oldest first, at most one per order key and
   * only the earliest left of each key. A claim holds a lease of `leaseMs`; a lease that runs out
   * (its process died) makes the job claimable again.
   */
  claim(channel: Channel, options: { readonly limit: number; readonly leaseMs: number }): Job[];
  /** Saves the job's progress (committed before this returns) and extends its lease by `leaseMs`. */
  checkpoint(id: number, progress: unknown, leaseMs: number): void;
  /** Done (or given up): removes the job. */
  complete(id: number): void;
  /** Drops the lease and makes the job due again after `delayMs` (backoff). */
  retry(id: number, delayMs: number): void;
  /** Drops the leases of these jobs (shutdown), so the next start takes them at once. */
  release(ids: readonly number[]): void;
  /**
   * At start: drops every lease of the channel (the process that held them is gone; one service
   * per data directory) and deletes jobs enqueued more than `maxAgeMs` ago.
   */
  recover(channel: Channel, maxAgeMs: number): { readonly released: number; readonly expired: number };
  /** Jobs of the channel left: waiting, running or waiting for a retry. */
  pending(channel: Channel): number;
}
