/**
 * What a Zalo job does. Two kinds of jobs share the channel's queue:
 *
 * - A resident's event (text, media, follow): the dialogue works out the replies once, they are
 *   saved with the job (`checkpoint`) before the first is sent, and each message is marked sent
 *   in the same turn of the event loop in which its request is handed to the socket (`beforeSend`,
 *   see client.ts), so a restart sends exactly what never went out; none is ever sent twice.
 * - A staff answer (core/dialogue/delivery.ts), sent the same exactly-once way within Zalo's free
 *   reply window. Outside it the answer waits ("parked", re-checked now and then) and goes out
 *   when the resident writes again; the queue item is marked not delivered meanwhile.
 *
 * Sends Zalo surely did not take are retried with backoff; after `maxAttempts` claims the job is
 * given up (logged).
 */
import { z } from "zod/v4";
import type { Assistant } from "../../core/assistant.js";
import { readStaffAnswerJob, type Dialogue, type DialogueEvent, type StaffAnswerJob } from "../../core/dialogue/index.js";
import type { Job, JobQueue } from "../../core/jobs.js";
import { SEEN_EVENT_DAYS, type Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import { errorFacts } from "../errors.js";
import { ZaloApiError, ZaloAuthError, ZaloTransportError, type ZaloClient } from "./client.js";
import { renderMessages, renderReplies } from "./format.js";

/** What a job keeps of a resident's event: what the dialogue needs to answer it. */
export const StoredEvent = z.union([
  z.object({ kind: z.literal("text"), userId: z.string().min(1), text: z.string() }),
  z.object({ kind: z.enum(["media", "follow", "unfollow"]), userId: z.string().min(1) }),
]);
export type StoredEvent = z.infer<typeof StoredEvent>;

/** A job's progress: its replies, worked out once, and how many were handed to Zalo. */
const Progress = z.object({ replies: z.array(z.string()), next: z.number().int().min(0) });
type Progress = z.infer<typeof Progress>;

/** How often a staff answer waiting for the resident's next message is looked at again (ms). */
const PARKED_RECHECK_MS = 60_000;
/** A staff answer still waiting after this long is given up (ms): the queue item stays "not delivered". */
const PARKED_MAX_MS = SEEN_EVENT_DAYS * 24 * 60 * 60 * 1000;

/** Error facts safe for logs: no request config, headers or tokens. */
export function zaloErrorFacts(err: unknown): Record<string, unknown> {
  return errorFacts(err, (e) => (e instanceof ZaloApiError ? { name: e.name, code: e.code, apiMessage: e.apiMessage } : null));
}

export interface ZaloJobDeps {
  readonly client: ZaloClient;
  /** Outgoing sends, throttled (Zalo's rate limit). */
  readonly send: (task: () => Promise<unknown>) => Promise<unknown>;
  readonly queue: JobQueue;
  readonly store: Store;
  readonly dialogue: Dialogue;
  readonly assistant: Assistant;
  readonly logger: Logger;
  readonly now: () => number;
  /** Free reply window after a resident's last message (ms). */
  readonly freeWindowMs: number;
  readonly leaseMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly maxAttempts: number;
  /** Asks the worker to look for jobs after `delayMs`. */
  readonly wake: (delayMs: number) => void;
}

const residentOf = (userId: string) => ({ channel: "zalo" as const, channelUserId: userId });

export function createZaloJobs(d: ZaloJobDeps): { run(job: Job): Promise<void> } {
  const { queue, logger: log } = d;
  /** Staff answers waiting for their resident's next message, by Zalo user id. */
  const parked = new Map<string, Set<number>>();

  /** The replies to an event (the dialogue's writes happen here); never throws. */
  async function prepare(event: StoredEvent): Promise<string[]> {
    const resident = residentOf(event.userId);
    if (event.kind === "text" || event.kind === "media") {
      const admission = d.dialogue.admit(resident, "message");
      if (!admission.ok) return admission.notice ? [admission.notice] : [];
    }
    const dialogueEvent: DialogueEvent = event.kind === "text" ? { kind: "text", text: event.text } : { kind: event.kind };
    try {
      return renderReplies((await d.dialogue.handle(resident, dialogueEvent)).replies);
    } catch (err) {
      log.error({ err: zaloErrorFacts(err), event: event.kind }, "zalo event handling failed");
      return [d.dialogue.texts.apology];
    }
  }

  /** Sends the replies not handed to Zalo yet, each marked in the store right before it goes out. */
  async function sendReplies(jobId: number, userId: string, progress: Progress): Promise<void> {
    let current = progress;
    while (current.next < current.replies.length) {
      const text = current.replies[current.next] as string;
      const before = current;
      const marked: Progress = { replies: current.replies, next: current.next + 1 };
      let onWire = false;
      try {
        await d.send(() =>
          d.client.sendText(userId, text, {
            beforeSend: () => {
              queue.checkpoint(jobId, marked, d.leaseMs);
              onWire = true;
            },
          }),
        );
      } catch (err) {
        // Zalo surely did not take it (refused connection, HTTP error): send it again next time.
        // After a timeout it may have: it stays marked, so it is never delivered twice.
        const uncertain = err instanceof ZaloTransportError && err.uncertain;
        if (onWire && !uncertain) queue.checkpoint(jobId, before, d.leaseMs);
        throw err;
      }
      current = marked;
    }
  }

  /** A send failed: retry the job later with backoff, or give it up. */
  function failed(job: Job, err: unknown): void {
    const transient = err instanceof ZaloTransportError || err instanceof ZaloAuthError;
    if (transient && job.attempts < d.maxAttempts) {
      const delayMs = Math.min(d.retryBaseMs * 2 ** (job.attempts - 1), d.retryMaxMs);
      log.warn({ job: job.id, attempt: job.attempts, delayMs, err: zaloErrorFacts(err) }, "zalo send failed; job retried later");
      queue.retry(job.id, delayMs);
      d.wake(delayMs);
      return;
    }
    if (transient) log.error({ job: job.id, attempts: job.attempts, err: zaloErrorFacts(err) }, "zalo job given up after repeated send failures");
    else log.warn({ job: job.id, err: zaloErrorFacts(err) }, "zalo send refused; rest of the answer dropped");
    queue.complete(job.id);
  }

  /** The progress saved by an earlier claim, or the replies worked out now (saved before any is sent). */
  async function progressOf(job: Job, work: () => Promise<string[]> | string[]): Promise<Progress> {
    const saved = Progress.safeParse(job.progress);
    if (saved.success) return saved.data;
    // Saved before any message goes out: a restart never works the job out a second time.
    const progress = { replies: await work(), next: 0 };
    if (progress.replies.length) queue.checkpoint(job.id, progress, d.leaseMs);
    return progress;
  }

  /** The outcome of a staff answer on its queue item (gone when the resident deleted their data). */
  function report(queueId: number, delivered: boolean): void {
    const item = d.store.getQueueItem(queueId);
    if (item && item.delivered !== true) d.store.markDelivered(queueId, delivered);
  }

  /** Waits for the resident's next message (the worker looks again now and then). */
  function park(job: Job, staff: StaffAnswerJob): void {
    const last = d.dialogue.state(residentOf(staff.address))?.lastInboundAt ?? null;
    log.info({ hoursSinceLastMessage: last === null ? null : Math.round((d.now() - last) / 3_600_000) }, "zalo staff answer kept: outside the free reply window");
    report(staff.queueId, false);
    queue.retry(job.id, PARKED_RECHECK_MS);
    parked.set(staff.address, (parked.get(staff.address) ?? new Set()).add(job.id));
  }

  async function deliverStaffAnswer(job: Job, staff: StaffAnswerJob): Promise<void> {
    parked.get(staff.address)?.delete(job.id);
    if (job.progress === null) {
      const item = d.store.getQueueItem(staff.queueId);
      // Deleted with the resident's data, or delivered by an earlier job: nothing to send.
      if (!item || item.delivered === true || !item.deliveryAddress) return queue.complete(job.id);
      const last = d.dialogue.state(residentOf(staff.address))?.lastInboundAt ?? null;
      if (last === null || d.now() - last > d.freeWindowMs) {
        if (Date.now() - job.enqueuedAt <= PARKED_MAX_MS) return park(job, staff);
        log.warn({ job: job.id }, "zalo staff answer given up: the resident did not write again");
        return queue.complete(job.id);
      }
    }
    const progress = await progressOf(job, () => renderMessages(staff.text));
    try {
      await sendReplies(job.id, staff.address, progress);
    } catch (err) {
      log.warn({ err: zaloErrorFacts(err) }, "zalo delivery of a staff answer failed");
      report(staff.queueId, false);
      return failed(job, err);
    }
    report(staff.queueId, true);
    queue.complete(job.id);
  }

  /** The resident wrote: staff answers waiting for them go out now (or again, from the masked copy). */
  async function residentReturned(userId: string): Promise<void> {
    const waiting = parked.get(userId);
    parked.delete(userId);
    if (waiting?.size) {
      for (const id of waiting) queue.retry(id, 0);
      d.wake(0);
      return;
    }
    const written = await d.assistant.deliverPending(residentOf(userId)).catch(() => 0);
    if (written) log.info({ written }, "zalo staff answers sent again on the resident's return");
  }

  async function run(job: Job): Promise<void> {
    const staff = readStaffAnswerJob(job.payload);
    if (staff) return deliverStaffAnswer(job, staff);
    const parsed = StoredEvent.safeParse(job.payload);
    if (!parsed.success) {
      log.error({ job: job.id }, "zalo job unreadable (USER_KEY_SECRET changed?); dropped");
      return queue.complete(job.id);
    }
    const event = parsed.data;
    const progress = await progressOf(job, () => prepare(event));
    try {
      await sendReplies(job.id, event.userId, progress);
    } catch (err) {
      return failed(job, err);
    }
    if (event.kind !== "unfollow") await residentReturned(event.userId);
    queue.complete(job.id);
  }

  return { run };
}
