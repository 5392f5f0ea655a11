/**
 * What the "Câu hỏi chờ" routes do beyond reading the queue: answering a queued question (and
 * delivering the answer through the assistant), optionally saving it as a public FAQ entry once
 * it is checked to name no one.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod/v4";
import { AppError } from "../../../../core/errors.js";
import { checkPublicQuestion, repeatsResidentDetails } from "../../../../core/privacy/depersonalize.js";
import type { Channel, QueueItem, QueueStatus, StaffQueue } from "../../../../core/store.js";
import type { ConsoleDeps } from "../deps.js";
import type { QueueFilter } from "../pages/queue.js";
import type { ConsoleErrorCode } from "../texts.js";
import { MAX_TEXT, text } from "./http.js";
import type { RouteKit } from "./kit.js";

export const AnswerBody = z.object({
  answer: text(MAX_TEXT),
  saveFaq: z.union([z.boolean(), z.literal("1"), z.literal("on"), z.literal("true")]).optional(),
  faqQuestion: z.string().max(300).optional(),
  back: z.string().max(300).optional(),
});
export type AnswerInput = z.infer<typeof AnswerBody>;

const STATUSES = ["open", "answered", "closed"] as const;
const CHANNELS = ["telegram", "zalo", "web"] as const;

/** The queue filter from query parameters (`keys` names them: Vietnamese on pages, English in the API); status defaults to open. */
export function queueFilter(query: Record<string, string | undefined>, keys: { status: string; channel: string }): QueueFilter {
  const status = query[keys.status];
  const channel = query[keys.channel];
  return {
    status: status === undefined || status === "" ? "open" : (STATUSES as readonly string[]).includes(status) ? (status as QueueStatus) : null,
    channel: channel && (CHANNELS as readonly string[]).includes(channel) ? (channel as Channel) : null,
  };
}

/**
 * Why an FAQ entry may not be made from this answer: the public question must be the staff's
 * own, without anyone's name, house number, hamlet or numbers, and the answer must not name
 * the resident. Checked before anything is sent, so a refusal changes nothing.
 */
function faqProblem(item: QueueItem, question: string, answer: string): ConsoleErrorCode | null {
  const problem = checkPublicQuestion(question, item.question);
  if (problem === "missing") return "FAQ_QUESTION_MISSING";
  if (problem === "unchanged") return "FAQ_QUESTION_UNCHANGED";
  if (problem === "personal") return "FAQ_QUESTION_PERSONAL";
  return repeatsResidentDetails(answer, item.question) ? "FAQ_ANSWER_PERSONAL" : null;
}

export interface QueueActionDeps {
  readonly queue: StaffQueue;
  readonly assistant: ConsoleDeps["assistant"];
  readonly saveStaffFaq: ConsoleDeps["saveStaffFaq"];
  readonly engine: Pick<ConsoleDeps["engine"], "defaultCommune">;
}

export function createQueueActions(kit: RouteKit, deps: QueueActionDeps) {
  const { queue } = deps;

  const listQueue = (filter: QueueFilter) => queue.listQueue({ ...(filter.status ? { status: filter.status } : {}), ...(filter.channel ? { channel: filter.channel } : {}), limit: 200 });

  const openItem = (id: number): QueueItem => {
    const item = queue.getQueueItem(id);
    if (!item) throw new AppError("QUEUE_ITEM_UNKNOWN", `unknown queue item ${id}`);
    return item;
  };

  /** Who answers, as an FAQ entry cites it: the office of the item's commune (or the default one). */
  const officeOf = (item: QueueItem) => {
    const commune = kit.communes().find((c) => c.id === (item.commune ?? deps.engine.defaultCommune));
    return commune ? `Ủy ban nhân dân xã ${commune.name}` : "Ủy ban nhân dân xã";
  };

  /** Answers a queued question, delivers it, and optionally saves it as an FAQ entry. */
  const answerItem = async (request: FastifyRequest, id: number, body: AnswerInput) => {
    const staff = kit.staffName(request);
    const item = openItem(id);
    if (item.status !== "open") return { ok: false as const, reason: "closed" as const, item };
    const saveFaq = body.saveFaq !== undefined && body.saveFaq !== false;
    const question = (body.faqQuestion ?? "").normalize("NFC").replace(/\s+/g, " ").trim();
    const problem = saveFaq ? faqProblem(item, question, body.answer) : null;
    if (problem) {
      request.log.info({ staff, id, code: problem }, "console FAQ entry refused");
      return { ok: false as const, reason: "faq" as const, code: problem, item };
    }
    const { item: answered, delivered } = await deps.assistant.answerQueued(id, body.answer, staff);
    request.log.info({ staff, id, channel: item.channel, delivered }, "console queue answered");
    let faq: { saved: boolean; file?: string; error?: string } | null = null;
    if (saveFaq) {
      try {
        const { file } = await deps.saveStaffFaq({ question, answer: body.answer, staff, office: officeOf(item) });
        faq = { saved: true, file };
        request.log.info({ staff, id }, "console FAQ entry saved");
      } catch (err) {
        faq = { saved: false, error: err instanceof AppError ? `${err.userMessage} ${err.message}` : "lỗi không rõ" };
        request.log.warn({ err, staff, id }, "console FAQ entry not saved");
      }
    }
    return { ok: true as const, item: answered, delivered, faq };
  };

  return { listQueue, openItem, answerItem };
}
