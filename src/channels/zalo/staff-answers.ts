/**
 * Staff answers on Zalo (core/dialogue/delivery.ts): sent the exactly-once way within Zalo's free
 * reply window. Outside it the answer waits ("parked": the job is looked at again now and then)
 * and goes out as written when the resident writes again; the queue item is marked not delivered
 * meanwhile. After SEEN_EVENT_DAYS it is given up; a later message from the resident then has the
 * assistant write it again from the stored (masked) copy.
 */
import type { StaffAnswerJob } from "../../core/dialogue/index.js";
import type { Job } from "../../core/jobs.js";
import { SEEN_EVENT_DAYS } from "../../core/store.js";
import { renderMessages } from "./format.js";
import { zaloErrorFacts, type ZaloJobDeps, type ZaloSending } from "./sending.js";

/** How often a staff answer waiting for the resident's next message is looked at again (ms). */
const PARKED_RECHECK_MS = 60_000;
/** A staff answer still waiting after this long is given up (ms): the queue item stays "not delivered". */
const PARKED_MAX_MS = SEEN_EVENT_DAYS * 24 * 60 * 60 * 1000;

const residentOf = (userId: string) => ({ channel: "zalo" as const, channelUserId: userId });

export interface ZaloStaffAnswers {
  deliver(job: Job, staff: StaffAnswerJob): Promise<void>;
  /** The resident wrote: staff answers waiting for them go out now (or again, from the masked copy). */
  residentReturned(userId: string): Promise<void>;
}

export function createZaloStaffAnswers(d: ZaloJobDeps, sending: ZaloSending): ZaloStaffAnswers {
  const { queue, logger: log } = d;
  /** Staff answers waiting for their resident's next message, by Zalo user id. */
  const parked = new Map<string, Set<number>>();

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

  async function deliver(job: Job, staff: StaffAnswerJob): Promise<void> {
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
    const progress = await sending.progressOf(job, () => renderMessages(staff.text));
    try {
      await sending.sendReplies(job.id, staff.address, progress);
    } catch (err) {
      log.warn({ err: zaloErrorFacts(err) }, "zalo delivery of a staff answer failed");
      report(staff.queueId, false);
      return sending.failed(job, err);
    }
    report(staff.queueId, true);
    queue.complete(job.id);
  }

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

  return { deliver, residentReturned };
}
