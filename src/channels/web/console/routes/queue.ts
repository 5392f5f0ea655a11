/** "Câu hỏi chờ": the questions handed to staff, answered or closed from the page or the JSON API. */
import { z } from "zod/v4";
import type { QueueItem } from "../../../../core/store.js";
import { faqSuggestion, queueBody, queueHref, type AnswerDraft } from "../pages/queue.js";
import { CHANNEL_LABELS, CONSOLE_ERRORS } from "../texts.js";
import { apiError, IdParams, parse, safeNext } from "./http.js";
import type { RouteKit } from "./kit.js";
import { AnswerBody, createQueueActions, queueFilter, type QueueActionDeps } from "./queue-actions.js";

const BackBody = z.object({ back: z.string().max(300).optional() });
const PAGE_KEYS = { status: "trang-thai", channel: "kenh" };

/** An item as the API shows it: the raw chat address is for delivery only and never leaves the server. */
const publicItem = ({ deliveryAddress: _a, userKey: _k, ...rest }: QueueItem) => rest;

export function registerQueueRoutes(kit: RouteKit, deps: QueueActionDeps): void {
  const { scope, csrf, render, communes, addFlash, staffName } = kit;
  const { listQueue, openItem, answerItem } = createQueueActions(kit, deps);

  scope.get("/cau-hoi-cho", async (request, reply) => {
    const filter = queueFilter(request.query as Record<string, string | undefined>, PAGE_KEYS);
    const items = listQueue(filter);
    return render(request, reply, { title: "Câu hỏi chờ cán bộ", active: "cau-hoi-cho", body: (token) => queueBody({ items, filter, csrf: token, communes: communes() }) });
  });
  scope.post("/cau-hoi-cho/:id/tra-loi", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    const body = parse(AnswerBody, request.body);
    const back = safeNext(body.back, queueHref({ status: "open", channel: null }));
    const outcome = await answerItem(request, id, body);
    if (!outcome.ok && outcome.reason === "faq") {
      // Shown again as typed, with the reason next to the question, so nothing is lost.
      const filter = queueFilter(Object.fromEntries(new URL(back, "http://console").searchParams), PAGE_KEYS);
      const items = listQueue(filter);
      const error = CONSOLE_ERRORS[outcome.code];
      const draft: AnswerDraft = { id, answer: body.answer, faqQuestion: body.faqQuestion ?? "", saveFaq: true, error };
      const shown = items.some((i) => i.id === id) ? items : [outcome.item, ...items];
      return render(request, reply, {
        title: "Câu hỏi chờ cán bộ",
        active: "cau-hoi-cho",
        status: 422,
        flash: [{ kind: "error", text: `Câu hỏi #${id}: ${error}` }],
        body: (token) => queueBody({ items: shown, filter, csrf: token, communes: communes(), draft }),
      });
    }
    if (!outcome.ok) {
      addFlash(request, { kind: "warn", text: `Câu hỏi #${id}: ${CONSOLE_ERRORS.QUEUE_ITEM_CLOSED}` });
      return reply.redirect(back, 303);
    }
    const channel = CHANNEL_LABELS[outcome.item.channel];
    addFlash(
      request,
      outcome.delivered
        ? { kind: "ok", text: `Câu hỏi #${id}: đã gửi câu trả lời cho người dân qua ${channel}.` }
        : { kind: "warn", text: `Câu hỏi #${id}: đã lưu câu trả lời nhưng chưa gửi được cho người dân qua ${channel} (người dân chưa nhắn lại, hoặc kênh chưa bật). Trợ lý sẽ gửi lại khi người dân nhắn tiếp.` },
    );
    if (outcome.faq?.saved) addFlash(request, { kind: "ok", text: "Đã lưu thành mục hỏi đáp của xã; trợ lý dùng ngay cho câu hỏi sau." });
    if (outcome.faq && !outcome.faq.saved) addFlash(request, { kind: "error", text: `Chưa lưu được mục hỏi đáp: ${outcome.faq.error ?? ""}` });
    return reply.redirect(back, 303);
  });
  scope.post("/cau-hoi-cho/:id/dong", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    const { back } = parse(BackBody, request.body);
    const item = openItem(id);
    if (item.status === "open") {
      deps.queue.closeQueueItem(id, staffName(request));
      request.log.info({ staff: staffName(request), id }, "console queue closed");
      addFlash(request, { kind: "ok", text: `Đã đóng câu hỏi #${id}.` });
    } else {
      addFlash(request, { kind: "warn", text: `Câu hỏi #${id}: ${CONSOLE_ERRORS.QUEUE_ITEM_CLOSED}` });
    }
    return reply.redirect(safeNext(back, queueHref({ status: "open", channel: null })), 303);
  });
  scope.get("/api/queue", async (request, reply) => {
    const filter = queueFilter(request.query as Record<string, string | undefined>, { status: "status", channel: "channel" });
    const items = listQueue(filter).map(publicItem).map((rest) => ({ ...rest, ...(rest.status === "open" ? { faqSuggestion: faqSuggestion(rest) } : {}) }));
    return reply.header("Cache-Control", "no-store").send({ items });
  });
  scope.post("/api/queue/:id/answer", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    const outcome = await answerItem(request, id, parse(AnswerBody, request.body));
    if (!outcome.ok) return outcome.reason === "faq" ? apiError(reply, 422, outcome.code) : apiError(reply, 409, "QUEUE_ITEM_CLOSED");
    return reply.header("Cache-Control", "no-store").send({ item: publicItem(outcome.item), delivered: outcome.delivered, faq: outcome.faq });
  });
  scope.post("/api/queue/:id/close", csrf, async (request, reply) => {
    const { id } = parse(IdParams, request.params);
    if (openItem(id).status !== "open") return apiError(reply, 409, "QUEUE_ITEM_CLOSED");
    return reply.header("Cache-Control", "no-store").send({ item: publicItem(deps.queue.closeQueueItem(id, staffName(request))) });
  });
}
