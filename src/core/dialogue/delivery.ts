/**
 * Staff answers travel to residents as jobs in the channels' durable job queue (core/jobs.ts):
 * the assistant writes one job per answer on the channel the question came from, and that
 * channel's worker delivers it (Telegram and Zalo send it; the web page collects it when it asks
 * next). Nothing in the core calls a channel.
 *
 * The job holds the staff member's words as written (the job queue keeps payloads encrypted at
 * rest); the store keeps only the masked copy. A worker reports the outcome on the queue item
 * (`Store.markDelivered`): true once sent, false when it could not be sent (yet).
 */
import { z } from "zod/v4";
import type { JobInput } from "../jobs.js";
import type { Channel, QueueItem, Store } from "../store.js";
import { DIALOGUE_TEXTS } from "./texts.js";

export const StaffAnswerJobSchema = z.object({
  kind: z.literal("staff-answer"),
  /** The staff queue item answered. */
  queueId: z.number().int().positive(),
  /** The raw chat id to deliver to (Telegram private chat, Zalo user, web session). */
  address: z.string().min(1).max(200),
  /** The whole message, as the resident receives it. */
  text: z.string().min(1),
});
export type StaffAnswerJob = z.infer<typeof StaffAnswerJobSchema>;

/** The job's payload, or null when it is not a staff answer (or cannot be read). */
export function readStaffAnswerJob(payload: unknown): StaffAnswerJob | null {
  const parsed = StaffAnswerJobSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/**
 * The job input for one delivery. Deliveries to one address run one at a time, in the order they
 * were written, apart from the resident's own messages (which must never wait for them). `attempt`
 * tells deliveries of the same answer apart (a resend after a failure is a new job).
 */
export function staffAnswerJobInput(channel: Channel, job: Omit<StaffAnswerJob, "kind">, attempt: string): JobInput {
  return {
    channel,
    eventId: `staff-answer:${job.queueId}:${attempt}`,
    orderKey: `staff-answer:${job.address}`,
    payload: { kind: "staff-answer", ...job } satisfies StaffAnswerJob,
  };
}

/**
 * The message a resident receives with a staff answer: `answer` as the staff member wrote it
 * (a phone number they give stays readable), else the stored, masked copy.
 */
export function staffAnswerText(item: QueueItem, answer: string | null = item.staffAnswer): string {
  return DIALOGUE_TEXTS.staffAnswer(item.question, answer ?? "");
}

/** A channel whose worker delivers staff answers, and how long `answerQueued` waits for the outcome. */
export interface DeliveryChannel {
  /** Milliseconds to wait for the worker's outcome (default 10 s; 0: do not wait, e.g. the web page collects it later). */
  readonly waitMs?: number;
}

/** How long `answerQueued` waits for a channel worker's outcome by default (ms). */
export const DELIVERY_WAIT_MS = 10_000;
const DELIVERY_POLL_MS = 20;

/**
 * Staff answers as delivery jobs: `answer` writes one for the channel of the question (when that
 * channel runs a worker) and waits, bounded, for the worker's report on the queue item; `again`
 * writes jobs anew, from the masked copy, for answers that could not be delivered.
 */
export function createStaffDelivery(store: Store, channels: Partial<Record<Channel, DeliveryChannel>>) {
  /**
   * Whether the delivery of queue item `id` succeeded, once its worker reported it, or false after
   * `waitMs` (recorded, so the console lists it as not delivered until the worker succeeds).
   */
  async function outcome(id: number, waitMs: number): Promise<boolean> {
    const until = performance.now() + waitMs;
    for (;;) {
      // Read and mark in one turn: a worker in this process cannot report in between.
      const item = store.getQueueItem(id);
      if (!item) return false;
      if (item.delivered !== null) return item.delivered;
      if (performance.now() >= until) {
        store.markDelivered(id, false);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, DELIVERY_POLL_MS));
    }
  }

  return {
    async answer(item: QueueItem, answer: string): Promise<boolean> {
      const channel = channels[item.channel];
      if (!channel || !item.deliveryAddress) {
        store.markDelivered(item.id, false);
        return false;
      }
      const job = { queueId: item.id, address: item.deliveryAddress, text: staffAnswerText(item, answer) };
      store.jobs.enqueue(staffAnswerJobInput(item.channel, job, `answer-${Date.now()}`));
      return outcome(item.id, channel.waitMs ?? DELIVERY_WAIT_MS);
    },

    again(userKey: string): number {
      const pending = store.listQueue({ status: "answered", userKey }).filter((i) => i.delivered === false && i.deliveryAddress && channels[i.channel]);
      let written = 0;
      for (const item of pending) {
        const job = { queueId: item.id, address: item.deliveryAddress as string, text: staffAnswerText(item) };
        if (store.jobs.enqueue(staffAnswerJobInput(item.channel, job, `again-${Date.now()}`))) written++;
      }
      return written;
    },
  };
}
