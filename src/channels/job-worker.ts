/**
 * A channel's workers on the store's durable job queue (core/jobs.ts): they claim the channel's
 * due jobs with bounded concurrency (one resident's jobs in order, as the queue hands them out),
 * run them, and look for new ones when woken, when a job finishes, and every `pollMs` while idle
 * (jobs written by others: staff answers from the console). At start, jobs a previous process
 * left are taken up; on close, no new job starts and running ones get a grace period, the others
 * stay in the store for the next start. What a job does is the channel's (`run`): it completes,
 * retries or checkpoints the job itself.
 */
import type { Job, JobQueue } from "../core/jobs.js";
import type { Channel } from "../core/store.js";
import type { Logger } from "../logger.js";
import { errorFacts } from "./errors.js";

export interface JobWorkerOptions {
  readonly queue: JobQueue;
  readonly channel: Channel;
  readonly logger: Logger;
  readonly run: (job: Job) => Promise<void>;
  /** Jobs handled at once (default 4). */
  readonly concurrency?: number;
  /** A claimed job is taken again after this long without progress (ms). */
  readonly leaseMs: number;
  /** Jobs enqueued longer ago than this are dropped at start (ms). */
  readonly maxAgeMs: number;
  /** How often an idle worker looks for jobs (ms; default 200). */
  readonly pollMs?: number;
}

export interface JobWorker {
  /** Takes up what a previous run left and starts looking for jobs. */
  start(): void;
  /** Looks for claimable jobs after `delayMs` (the earliest request wins). */
  wake(delayMs?: number): void;
  /** Resolves when no job of the channel is left in the store (waiting, running or waiting for a retry). */
  idle(): Promise<void>;
  /**
   * Starts no new job and waits (at most `timeoutMs`) for the running ones; the others stay in
   * the store. True when every running job finished.
   */
  close(timeoutMs: number): Promise<boolean>;
  /** Jobs of the channel left in the store. */
  pending(): number;
  /** Whether the worker is closing (refuse new work). */
  readonly closing: boolean;
}

export function createJobWorker(o: JobWorkerOptions): JobWorker {
  const { queue, channel, logger: log } = o;
  const concurrency = o.concurrency ?? 4;
  const pollMs = o.pollMs ?? 200;
  /** Jobs this process is working on, by id. */
  const running = new Map<number, Promise<void>>();
  let closing = false;
  let idleWaiters: Array<() => void> = [];
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let pollTimer: NodeJS.Timeout | undefined;

  function pending(): number {
    try {
      return queue.pending(channel);
    } catch {
      return running.size;
    }
  }

  function checkIdle(): void {
    if (idleWaiters.length === 0 || running.size > 0 || pending() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function wake(delayMs = 0): void {
    if (closing) return;
    const at = Date.now() + delayMs;
    if (wakeTimer && wakeAt <= at) return;
    clearTimeout(wakeTimer);
    wakeAt = at;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      wakeAt = Number.POSITIVE_INFINITY;
      pump();
    }, delayMs);
    wakeTimer.unref();
  }

  /** Starts as many claimable jobs as there are free workers. */
  function pump(): void {
    if (closing) return;
    const free = concurrency - running.size;
    if (free <= 0) return;
    let claimed: Job[];
    try {
      claimed = queue.claim(channel, { limit: free, leaseMs: o.leaseMs });
    } catch (err) {
      log.error({ err: errorFacts(err) }, `${channel} jobs could not be claimed`);
      return;
    }
    for (const job of claimed) {
      // A job of ours whose lease ran out while it was still working: it is still ours.
      if (running.has(job.id)) continue;
      const task = o
        .run(job)
        .catch((err: unknown) => log.error({ err: errorFacts(err), job: job.id }, `${channel} job failed`))
        .finally(() => {
          running.delete(job.id);
          pump();
          checkIdle();
        });
      running.set(job.id, task);
    }
  }

  return {
    start() {
      const { released, expired } = queue.recover(channel, o.maxAgeMs);
      if (expired) log.warn({ expired }, `${channel} jobs older than the de-duplication window dropped`);
      const left = queue.pending(channel);
      if (left) log.info({ pending: left, released }, `${channel} jobs left by the last run taken up`);
      // Idle: look for jobs due now (a retry, a staff answer) that no event woke the worker for.
      pollTimer = setInterval(() => {
        if (running.size < concurrency && pending() > running.size) pump();
        checkIdle();
      }, pollMs);
      pollTimer.unref();
      wake(0);
    },
    wake,
    idle: () => (running.size === 0 && pending() === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    async close(timeoutMs) {
      closing = true;
      clearTimeout(wakeTimer);
      clearInterval(pollTimer);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      const drained = await Promise.race([Promise.all(running.values()).then(() => true as const), timedOut]);
      clearTimeout(timer);
      if (!drained) {
        // Their progress is saved: the next start does what they had not done yet.
        const ids = [...running.keys()];
        try {
          queue.release(ids);
        } catch (err) {
          log.error({ err: errorFacts(err) }, `${channel} job leases could not be released`);
        }
        log.warn({ running: ids.length }, `${channel} jobs still running at shutdown; left for the next start`);
      }
      const left = pending();
      if (left) log.info({ left }, `${channel} jobs left in the store for the next start`);
      return drained;
    },
    pending,
    get closing() {
      return closing;
    },
  };
}
