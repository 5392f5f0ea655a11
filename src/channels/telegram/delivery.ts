/**
 * The Telegram worker for staff answers (core/dialogue/delivery.ts): it takes the channel's jobs
 * from the durable job queue and sends each answer, as the staff member wrote it, to the
 * resident's private chat (never to a group where the question may have been asked), split at
 * Telegram's limit. Pieces sent are checkpointed one by one, so a restart sends the rest; a crash
 * between a send and its checkpoint can repeat that one piece. The outcome goes on the queue item:
 * true once sent; false when Telegram refused (the resident blocked the bot) or failed, in which
 * case a network failure or a 429/5xx is tried again later, with backoff.
 */
import { GrammyError, HttpError, type Api } from "grammy";
import { readStaffAnswerJob } from "../../core/dialogue/index.js";
import type { Job } from "../../core/jobs.js";
import { SEEN_EVENT_DAYS, type Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import { errorFacts } from "../errors.js";
import { createJobWorker, type JobWorker } from "../job-worker.js";
import { escapeHtml, splitMessage } from "./format.js";

/**
 * An error as it may be logged. A GrammyError carries the whole request payload (the message
 * text sent to the resident, which quotes their question) and an HttpError the request: only
 * the method and Telegram's answer are kept.
 */
export function telegramErrorFacts(err: unknown): Record<string, unknown> {
  return errorFacts(err, (e) => {
    if (e instanceof GrammyError) return { name: e.name, method: e.method, code: e.error_code, description: e.description };
    if (e instanceof HttpError) return { name: e.name, message: e.message, cause: e.error instanceof Error ? e.error.message : String(e.error) };
    return null;
  });
}

export interface TelegramDeliveryOptions {
  readonly api: Api;
  readonly store: Store;
  readonly logger: Logger;
  /** How often the idle worker looks for answers to send (ms; default 200). */
  readonly pollMs?: number;
  /** First delay before a failed send is tried again (ms, doubling; default 5 s). */
  readonly retryBaseMs?: number;
  /** Tries before an answer is given up (default 5). */
  readonly maxAttempts?: number;
}

const LEASE_MS = 60_000;

/** Whether Telegram may take the message later (network, rate limit, server error). */
function transient(err: unknown): boolean {
  if (err instanceof HttpError) return true;
  return err instanceof GrammyError && (err.error_code === 429 || err.error_code >= 500);
}

export function createTelegramDelivery(o: TelegramDeliveryOptions): JobWorker {
  const queue = o.store.jobs;
  const log = o.logger;
  const retryBaseMs = o.retryBaseMs ?? 5_000;
  const maxAttempts = o.maxAttempts ?? 5;

  function report(queueId: number, delivered: boolean): void {
    const item = o.store.getQueueItem(queueId);
    if (item && item.delivered !== true) o.store.markDelivered(queueId, delivered);
  }

  async function run(job: Job): Promise<void> {
    const staff = readStaffAnswerJob(job.payload);
    if (!staff) {
      log.error({ job: job.id }, "telegram job unreadable (USER_KEY_SECRET changed?); dropped");
      return queue.complete(job.id);
    }
    const item = o.store.getQueueItem(staff.queueId);
    // Deleted with the resident's data, or delivered by an earlier job: nothing to send.
    if (!item || item.delivered === true || !item.deliveryAddress) return queue.complete(job.id);
    const pieces = splitMessage(escapeHtml(staff.text));
    const saved = job.progress as { next?: unknown } | null;
    let next = typeof saved?.next === "number" ? saved.next : 0;
    try {
      for (; next < pieces.length; next++) {
        await o.api.sendMessage(staff.address, pieces[next] as string, { parse_mode: "HTML" });
        queue.checkpoint(job.id, { next: next + 1 }, LEASE_MS);
      }
    } catch (err) {
      log.warn({ err: telegramErrorFacts(err), job: job.id, attempt: job.attempts }, "telegram delivery of a staff answer failed");
      report(staff.queueId, false);
      if (transient(err) && job.attempts < maxAttempts) return queue.retry(job.id, retryBaseMs * 2 ** (job.attempts - 1));
      return queue.complete(job.id);
    }
    report(staff.queueId, true);
    queue.complete(job.id);
  }

  return createJobWorker({
    queue,
    channel: "telegram",
    logger: log,
    run,
    concurrency: 2,
    leaseMs: LEASE_MS,
    maxAgeMs: SEEN_EVENT_DAYS * 24 * 60 * 60 * 1000,
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
  });
}
