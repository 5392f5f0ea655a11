/**
 * Staff answers for web sessions. A web page cannot be reached when staff answer: the answer waits
 * as a job of channel "web" in the durable job queue (core/dialogue/delivery.ts), this mailbox
 * claims those jobs and hands each answer to its session's next request (POST /api/chat,
 * GET /api/chat/updates, POST /api/web/inbox), marking it delivered then. One mailbox per process,
 * shared by both web route modules, so two never compete for the same jobs.
 */
import type { Reply } from "../../core/dialogue/index.js";
import { readStaffAnswerJob, type StaffAnswerJob } from "../../core/dialogue/delivery.js";
import { SEEN_EVENT_DAYS, type Store } from "../../core/store.js";
import type { Logger } from "../../logger.js";

/** How long a claimed staff answer is held for its session before another process may take it (ms). */
const HOLD_MS = SEEN_EVENT_DAYS * 24 * 60 * 60 * 1000;
/** Staff answers held in memory for sessions that have not asked yet (the oldest are released first). */
const MAX_HELD = 10_000;

export type WebMailbox = ReturnType<typeof createWebMailbox>;

/** Staff answers to web sessions, claimed from the job queue and held until their session asks. */
export function createWebMailbox(store: Pick<Store, "jobs" | "getQueueItem" | "markDelivered">, log: Logger) {
  const held = new Map<number, StaffAnswerJob>();
  const claim = (): void => {
    // Most requests find no new staff answer: a read first, so they take no write lock.
    if (store.jobs.pending("web") <= held.size) return;
    const jobs = store.jobs.claim("web", { limit: 100, leaseMs: HOLD_MS });
    for (const job of jobs) {
      const staff = readStaffAnswerJob(job.payload);
      if (staff) held.set(job.id, staff);
      else {
        log.error({ job: job.id }, "web job unreadable (USER_KEY_SECRET changed?); dropped");
        store.jobs.complete(job.id);
      }
    }
    if (held.size > MAX_HELD) {
      const oldest = [...held.keys()].slice(0, held.size - MAX_HELD);
      store.jobs.release(oldest);
      for (const id of oldest) held.delete(id);
    }
  };
  return {
    start: () => store.jobs.recover("web", HOLD_MS),
    /** The staff answers for `address` not shown yet, each once; marked delivered. */
    take(address: string): Reply[] {
      const out: Reply[] = [];
      // Answers to one session are handed out one after another: claim again after each round.
      for (let round = 0; round < 10; round++) {
        claim();
        const mine = [...held].filter(([, job]) => job.address === address);
        for (const [id, job] of mine) {
          held.delete(id);
          const item = store.getQueueItem(job.queueId);
          if (item && item.delivered !== true) {
            out.push({ text: job.text, fromStaff: true });
            store.markDelivered(job.queueId, true);
          }
          store.jobs.complete(id);
        }
        if (mine.length === 0) break;
      }
      return out;
    },
  };
}
