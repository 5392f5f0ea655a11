/**
 * Sending a Zalo job's messages exactly once: the replies are worked out once and saved with the
 * job (`checkpoint`) before the first is sent, and each message is marked sent in the same turn of
 * the event loop in which its request is handed to the socket (`beforeSend`, see client.ts).
 * Sends Zalo surely did not take are retried with backoff; after `maxAttempts` claims the job is
 * given up (logged).
 */
import { z } from "zod/v4";
import type { Assistant } from "../../core/assistant.js";
import type { Dialogue } from "../../core/dialogue/index.js";
import type { Job, JobQueue } from "../../core/jobs.js";
import type { Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";
import { errorFacts } from "../errors.js";
import { ZaloApiError, ZaloAuthError, ZaloTransportError, type ZaloClient } from "./client.js";

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

/** A job's progress: its replies, worked out once, and how many were handed to Zalo. */
const Progress = z.object({ replies: z.array(z.string()), next: z.number().int().min(0) });
export type Progress = z.infer<typeof Progress>;

export interface ZaloSending {
  /** Sends the replies not handed to Zalo yet, each marked in the store right before it goes out. */
  sendReplies(jobId: number, userId: string, progress: Progress): Promise<void>;
  /** A send failed: retry the job later with backoff, or give it up. */
  failed(job: Job, err: unknown): void;
  /** The progress saved by an earlier claim, or the replies worked out now (saved before any is sent). */
  progressOf(job: Job, work: () => Promise<string[]> | string[]): Promise<Progress>;
}

export function createZaloSending(d: ZaloJobDeps): ZaloSending {
  const { queue, logger: log } = d;

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

  async function progressOf(job: Job, work: () => Promise<string[]> | string[]): Promise<Progress> {
    const saved = Progress.safeParse(job.progress);
    if (saved.success) return saved.data;
    // Saved before any message goes out: a restart never works the job out a second time.
    const progress = { replies: await work(), next: 0 };
    if (progress.replies.length) queue.checkpoint(job.id, progress, d.leaseMs);
    return progress;
  }

  return { sendReplies, failed, progressOf };
}
