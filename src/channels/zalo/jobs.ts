/**
 * What a Zalo job does. Two kinds of jobs share the channel's queue:
 *
 * - A resident's event (text, media, follow): the dialogue works out the replies once, they are
 *   saved with the job (`checkpoint`) before the first is sent, and each message is marked sent
 *   in the same turn of the event loop in which its request is handed to the socket (`beforeSend`,
 *   see client.ts), so a restart sends exactly what never went out; none is ever sent twice.
 * - A staff answer (core/dialogue/delivery.ts), sent the same exactly-once way within Zalo's free
 *   reply window, or when the resident writes again (staff-answers.ts).
 *
 * Sending, retries and giving up are in sending.ts.
 */
import { z } from "zod/v4";
import { readStaffAnswerJob, type DialogueEvent } from "../../core/dialogue/index.js";
import type { Job } from "../../core/jobs.js";
import { renderReplies } from "./format.js";
import { createZaloSending, zaloErrorFacts, type ZaloJobDeps } from "./sending.js";
import { createZaloStaffAnswers } from "./staff-answers.js";

/** What a job keeps of a resident's event: what the dialogue needs to answer it. */
export const StoredEvent = z.union([
  z.object({ kind: z.literal("text"), userId: z.string().min(1), text: z.string() }),
  z.object({ kind: z.enum(["media", "follow", "unfollow"]), userId: z.string().min(1) }),
]);
export type StoredEvent = z.infer<typeof StoredEvent>;

const residentOf = (userId: string) => ({ channel: "zalo" as const, channelUserId: userId });

export { zaloErrorFacts, type ZaloJobDeps } from "./sending.js";

export function createZaloJobs(d: ZaloJobDeps): { run(job: Job): Promise<void> } {
  const { queue, logger: log } = d;
  const sending = createZaloSending(d);
  const staffAnswers = createZaloStaffAnswers(d, sending);

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

  async function run(job: Job): Promise<void> {
    const staff = readStaffAnswerJob(job.payload);
    if (staff) return staffAnswers.deliver(job, staff);
    const parsed = StoredEvent.safeParse(job.payload);
    if (!parsed.success) {
      log.error({ job: job.id }, "zalo job unreadable (USER_KEY_SECRET changed?); dropped");
      return queue.complete(job.id);
    }
    const event = parsed.data;
    const progress = await sending.progressOf(job, () => prepare(event));
    try {
      await sending.sendReplies(job.id, event.userId, progress);
    } catch (err) {
      return sending.failed(job, err);
    }
    if (event.kind !== "unfollow") await staffAnswers.residentReturned(event.userId);
    queue.complete(job.id);
  }

  return { run };
}
