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
import type { Channel } from "../store.js";

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
