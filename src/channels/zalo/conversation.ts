/**
 * The Zalo conversation: Zalo OA messages have no buttons we can rely on, so every choice is a
 * number the resident types ("Gõ 1 để đồng ý…"). The last message always says what the numbers
 * mean; what a number means now is kept per resident in the store (`<user key>:zalo`). Commands
 * are matched without diacritics, any case: "menu" or "0", "xem du lieu", "xoa du lieu", "huy",
 * "chon xa", "quyen rieng tu", "tro giup", "hoi can bo". All answers, flows, consent and staff handoff go
 * through the shared assistant, exactly as on Telegram.
 */
import type { Assistant, Resident, Turn } from "../../core/assistant.js";
import type { CommuneDirectory } from "../../core/knowledge/communes.js";
import { SMARTPHONE_FLOW_ID, TWO_G_FLOW_ID } from "../../core/flows/index.js";
import type { Flow, FlowReply } from "../../core/flows/types.js";
import { myDataText, privacyNotice } from "../../core/privacy/notice.js";
import type { Store } from "../../core/store.js";
import { fold } from "../../core/text/normalize.js";
import { PLAN_QUESTION, SKILL_QUESTIONS, STAFF_QUEUED, TOPICS_LINE } from "../menu.js";
import { renderMessages, renderOptions } from "./format.js";

/** What a number typed next means. */
export type Awaiting =
  | { readonly kind: "consent"; readonly thenStaff?: boolean; readonly privacy?: boolean }
  | { readonly kind: "menu" }
  | { readonly kind: "skills" }
  | { readonly kind: "commune" }
  | { readonly kind: "delete" }
  | { readonly kind: "answer"; readonly messageId: number; readonly staff: boolean }
  | { readonly kind: "reason"; readonly messageId: number }
  | { readonly kind: "staff" }
  /** "Có phải bà con muốn hỏi…?": the numbered questions offered (curated headings, not the resident's text). */
  | { readonly kind: "suggestions"; readonly questions: readonly string[]; readonly messageId: number };

export interface ZaloSession {
  readonly awaiting: Awaiting | null;
  /** Epoch ms of the resident's last message or follow: the free reply window runs from here. */
  readonly lastInboundAt: number | null;
  /** The welcome and consent question were shown. */
  readonly welcomed: boolean;
}

/** An event from a resident, as the conversation sees it. */
export type ResidentEvent =
  | { readonly kind: "text"; readonly userId: string; readonly text: string }
  | { readonly kind: "media"; readonly userId: string }
  | { readonly kind: "follow" | "unfollow"; readonly userId: string };

export interface ZaloConversationOptions {
  readonly assistant: Assistant;
  readonly store: Store;
  /** The live knowledge: communes, and the guided flows whose titles the menu shows. */
  readonly knowledge: () => { communes: CommuneDirectory; flows: readonly Flow[] };
  readonly retentionDays: number;
  readonly controller: string;
  /** Free reply window in hours (for what residents are told). */
  readonly freeWindowHours: number;
  readonly clock?: () => number;
}

export interface ZaloConversation {
  /** The replies to one event, in order, each within Zalo's length limit. */
  handle(event: ResidentEvent): Promise<string[]>;
  /** The stored session of a Zalo user (undefined before the first event or after deletion). */
  session(userId: string): ZaloSession | undefined;
}

export const CONSENT_CHOICE = "Gõ 1 để đồng ý lưu câu hỏi, 2 để không đồng ý. Dù chọn thế nào, trợ lý vẫn trả lời bà con.";
export const MEDIA_REPLY = "Trợ lý chỉ đọc được tin nhắn chữ, chưa xem được ảnh, nhãn dán, tệp hay vị trí. Bà con vui lòng gõ câu hỏi bằng chữ (có dấu hay không dấu đều được). Gõ 0 để xem menu.";
const BACK = "Gõ 0 để xem menu, hoặc gõ câu hỏi.";

type Command = "menu" | "delete" | "view" | "cancel" | "privacy" | "commune" | "help" | "staff";

const COMMANDS: ReadonlyArray<readonly [Command, readonly string[]]> = [
  ["menu", ["menu", "0", "/menu", "trang chu", "bat dau", "/start", "start"]],
  ["delete", ["xoa du lieu", "/xoadulieu", "xoadulieu", "xoa het du lieu", "xoa du lieu cua toi"]],
  ["view", ["xem du lieu", "/xemdulieu", "xemdulieu", "xem du lieu cua toi", "du lieu cua toi"]],
  ["cancel", ["huy", "/huy", "huy bo", "thoat", "cancel"]],
  ["privacy", ["quyen rieng tu", "/quyenriengtu", "quyenriengtu", "du lieu ca nhan"]],
  ["commune", ["chon xa", "doi xa", "/xa"]],
  ["help", ["help", "/help", "tro giup", "/trogiup", "huong dan"]],
  ["staff", ["hoi can bo", "hoi can bo xa", "gap can bo", "gap can bo xa"]],
];

/** Folded, punctuation as spaces, trimmed: what commands and numbers are matched on. */
function key(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N}/]+/gu, " ")
    .trim();
}

function commandOf(k: string): Command | null {
  for (const [command, forms] of COMMANDS) if (forms.includes(k)) return command;
  return null;
}

/** "1", "1.", "số 1", " 2 " → the number; anything else null. */
function numberOf(k: string): number | null {
  const m = /^(?:so )?(\d{1,3})$/.exec(k);
  return m ? Number(m[1]) : null;
}

export function createZaloConversation(o: ZaloConversationOptions): ZaloConversation {
  const now = o.clock ?? Date.now;
  const { assistant, store } = o;
  const resident = (userId: string): Resident => ({ channel: "zalo", channelUserId: userId });
  const sessionKey = (userId: string) => `${store.userKey("zalo", userId)}:zalo`;
  const flowTitle = (id: string) => o.knowledge().flows.find((f) => f.id === id)?.title;
  const notice = () => privacyNotice({ retentionDays: o.retentionDays, controller: o.controller, deleteHow: "gõ «xoa du lieu»", viewHow: "gõ «xem du lieu»" });

  const menuEntries: ReadonlyArray<{ label: string; run: (userId: string, s: Draft) => Promise<string[]> | string[] }> = [
    { label: "Kỹ năng số (câu hỏi mẫu)", run: (_u, s) => skills(s) },
    { get label() { return flowTitle(SMARTPHONE_FLOW_ID) ?? "Hỗ trợ điện thoại cho hộ nghèo"; }, run: (u, s) => startFlow(u, s, SMARTPHONE_FLOW_ID) },
    { get label() { return flowTitle(TWO_G_FLOW_ID) ?? "Tắt sóng 2G"; }, run: (u, s) => startFlow(u, s, TWO_G_FLOW_ID) },
    { label: "Kế hoạch hạ tầng số của xã", run: (u, s) => ask(u, s, PLAN_QUESTION) },
    { label: "Hỏi cán bộ xã", run: (u, s) => staffEntry(u, s) },
    { label: "Chọn xã của bà con", run: (u, s) => communeList(u, s) },
    { label: "Quyền riêng tư: xem, xóa dữ liệu", run: (u, s) => privacy(u, s) },
  ];

  interface Draft {
    awaiting: Awaiting | null;
    lastInboundAt: number | null;
    welcomed: boolean;
    /** Set when the resident's data was deleted: nothing may be written back. */
    deleted: boolean;
    /** Answer without the numbered footer (the consent question follows it). */
    quiet: boolean;
  }

  function menu(s: Draft): string[] {
    s.awaiting = { kind: "menu" };
    const lines = menuEntries.map((e, i) => `${i + 1}. ${e.label}`);
    return renderMessages(`Bà con gõ số để chọn chủ đề:\n${lines.join("\n")}\n\nHoặc gõ câu hỏi, có dấu hay không dấu đều được.`);
  }

  function skills(s: Draft): string[] {
    s.awaiting = { kind: "skills" };
    const lines = SKILL_QUESTIONS.map((q, i) => `${i + 1}. ${q}`);
    return renderMessages(`Kỹ năng số: bà con gõ số của câu hỏi muốn xem, hoặc tự gõ câu hỏi của mình.\n${lines.join("\n")}`, [], "Gõ 0 để về menu.");
  }

  function communeList(userId: string, s: Draft): string[] {
    s.awaiting = { kind: "commune" };
    const user = assistant.user(resident(userId));
    const communes = o.knowledge().communes;
    const current = user.commune ? communes.get(user.commune)?.name : null;
    const lines = communes.all.map((c, i) => `${i + 1}. Xã ${c.name}`);
    return renderMessages(`${current ? `Xã đang chọn: ${current}. ` : ""}Bà con ở xã nào? Gõ số:\n${lines.join("\n")}`, [], "Gõ 0 để về menu.");
  }

  function consentQuestion(s: Draft, thenStaff = false): void {
    s.awaiting = thenStaff ? { kind: "consent", thenStaff: true } : { kind: "consent" };
  }

  function privacy(userId: string, s: Draft): string[] {
    const consent = assistant.user(resident(userId)).consent;
    const status = consent === null ? "Bà con chưa chọn." : consent.granted ? "Bà con đã đồng ý lưu câu hỏi." : "Bà con đã chọn không đồng ý lưu câu hỏi.";
    s.awaiting = { kind: "consent", privacy: true };
    return renderMessages(
      `${notice()}\n\n${status}`,
      [],
      `${CONSENT_CHOICE}\nGõ 3 để xem trợ lý đang lưu gì về bà con. Muốn xóa toàn bộ dữ liệu, bà con gõ «xoa du lieu».`,
    );
  }

  /** What is stored about the resident, split at Zalo's limit; the choices come last. */
  function myData(userId: string, s: Draft): string[] {
    s.awaiting = null;
    const text = myDataText(assistant.myData(resident(userId)), { retentionDays: o.retentionDays, deleteHow: "gõ «xoa du lieu»", channelName: "Zalo" });
    return renderMessages(text, [], BACK);
  }

  function welcome(s: Draft): string[] {
    s.welcomed = true;
    consentQuestion(s);
    return renderMessages(
      `Chào bà con! ${TOPICS_LINE} Mỗi câu trả lời có ghi nguồn.\n\n${notice()}`,
      [],
      `Bà con có đồng ý cho trợ lý lưu câu hỏi không? ${CONSENT_CHOICE}\nGõ 0 để xem menu.`,
    );
  }

  function help(): string[] {
    return renderMessages(
      [
        TOPICS_LINE,
        "Bà con cứ gõ câu hỏi, có dấu hay không dấu đều được. Mỗi câu trả lời có ghi nguồn.",
        "",
        "• menu (hoặc 0): xem các chủ đề",
        "• chon xa: chọn xã của bà con",
        "• huy: thoát phần hỏi từng bước",
        "• hoi can bo: gửi câu hỏi cho cán bộ xã",
        "• quyen rieng tu: thông báo về dữ liệu cá nhân, đổi lựa chọn",
        "• xem du lieu: xem trợ lý đang lưu gì về bà con",
        "• xoa du lieu: xóa toàn bộ dữ liệu của bà con",
      ].join("\n"),
    );
  }

  function staffEntry(userId: string, s: Draft): string[] {
    if (!assistant.user(resident(userId)).consent?.granted) {
      consentQuestion(s, true);
      return renderMessages("Để gửi câu hỏi cho cán bộ xã, trợ lý cần lưu câu hỏi của bà con.", [], `${CONSENT_CHOICE}`);
    }
    s.awaiting = { kind: "staff" };
    return renderMessages("Bà con gõ câu hỏi muốn gửi cán bộ xã (gõ «huy» để thôi).");
  }

  function windowNote(): string {
    return `Nếu quá ${o.freeWindowHours} giờ kể từ tin nhắn gần nhất của bà con mà chưa nhận được, bà con nhắn một tin bất kỳ để trợ lý gửi lại.`;
  }

  function flowMessages(s: Draft, reply: FlowReply): string[] {
    s.awaiting = null;
    if (reply.options.length === 0) return renderMessages(reply.text, reply.sources, BACK);
    return renderMessages(`${reply.text}\n\n${renderOptions(reply.options)}`, reply.sources, "Gõ số để chọn. Gõ «huy» để thoát, 0 để về menu.");
  }

  function startFlow(userId: string, s: Draft, flowId: string): string[] {
    return flowMessages(s, assistant.startFlow(resident(userId), flowId));
  }

  function turnMessages(s: Draft, turn: Turn, consented: boolean): string[] {
    const { result } = turn;
    let footer: string;
    let staff = false;
    if (result.kind === "clarify" && result.suggestions?.length) {
      s.awaiting = { kind: "suggestions", questions: [...result.suggestions], messageId: turn.messageId };
      return renderMessages(result.answer, [], s.quiet ? "" : `Gõ số từ 1 đến ${result.suggestions.length} để chọn. Gõ 0 để xem menu.`);
    }
    if (result.kind === "smalltalk") {
      s.awaiting = null;
      return renderMessages(result.answer, [], s.quiet ? "" : BACK);
    }
    if (turn.queued) footer = `${STAFF_QUEUED} ${windowNote()}\nGõ 1 nếu câu trả lời giúp được bà con, 2 nếu chưa. Gõ 0 để xem menu.`;
    else if (result.kind === "refusal") footer = "Gõ 1 nếu câu trả lời giúp được bà con, 2 nếu chưa. Gõ 0 để xem menu.";
    else if (result.kind === "handoff") {
      staff = true;
      footer = `Gõ 3 để gửi câu hỏi cho cán bộ xã${consented ? "" : " (cần bà con đồng ý lưu câu hỏi)"}. Gõ 0 để xem menu.`;
    } else {
      staff = true;
      footer = "Gõ 1 nếu câu trả lời giúp được bà con, 2 nếu chưa đúng ý, 3 để hỏi cán bộ xã. Gõ 0 để xem menu.";
    }
    s.awaiting = { kind: "answer", messageId: turn.messageId, staff };
    return renderMessages(result.answer, result.sources, s.quiet ? "" : footer);
  }

  async function ask(userId: string, s: Draft, text: string): Promise<string[]> {
    const turn = await assistant.ask(resident(userId), text, { deliveryAddress: userId });
    const consented = assistant.user(resident(userId)).consent?.granted === true;
    return turnMessages(s, turn, consented);
  }

  async function onCommand(userId: string, s: Draft, command: Command): Promise<string[]> {
    switch (command) {
      case "menu":
        assistant.cancelFlow(resident(userId));
        return menu(s);
      case "delete":
        s.awaiting = { kind: "delete" };
        return renderMessages(
          "Bà con có chắc muốn xóa toàn bộ dữ liệu trợ lý đang lưu về mình (câu hỏi, lựa chọn, đánh giá, câu hỏi gửi cán bộ)? Việc này không hoàn tác được.",
          [],
          "Gõ 1 để xóa, 2 để giữ lại.",
        );
      case "cancel": {
        const had = assistant.cancelFlow(resident(userId)) || s.awaiting !== null;
        s.awaiting = null;
        return renderMessages(had ? "Đã hủy." : "Không có việc gì đang làm dở.", [], BACK);
      }
      case "privacy":
        return privacy(userId, s);
      case "view":
        return myData(userId, s);
      case "commune":
        return communeList(userId, s);
      case "help":
        return help();
      case "staff":
        return staffEntry(userId, s);
    }
  }

  /** A number typed while a numbered choice is open; null when the number means nothing there. */
  async function onNumber(userId: string, s: Draft, a: Awaiting, n: number): Promise<string[] | null> {
    const r = resident(userId);
    const outOfRange = (max: number) => renderMessages(`Chưa có lựa chọn số ${n}. Bà con gõ một số từ 1 đến ${max}, hoặc gõ 0 để xem menu.`);
    switch (a.kind) {
      case "consent": {
        if (n === 3 && a.privacy) return myData(userId, s);
        if (n !== 1 && n !== 2) return outOfRange(a.privacy ? 3 : 2);
        const granted = n === 1;
        assistant.setConsent(r, granted);
        s.awaiting = null;
        if (granted && a.thenStaff) {
          s.awaiting = { kind: "staff" };
          return renderMessages("Cảm ơn bà con đã đồng ý. Bà con gõ câu hỏi muốn gửi cán bộ xã (gõ «huy» để thôi).");
        }
        return renderMessages(
          granted
            ? "Cảm ơn bà con đã đồng ý. Trợ lý sẽ lưu câu hỏi (đã che số điện thoại, số giấy tờ) để cán bộ xã xem và trả lời khi cần."
            : "Trợ lý sẽ không lưu câu hỏi của bà con, và vẫn trả lời bình thường.",
          [],
          BACK,
        );
      }
      case "delete": {
        if (n !== 1 && n !== 2) return outOfRange(2);
        s.awaiting = null;
        if (n === 2) return renderMessages("Đã giữ nguyên, không xóa gì.", [], BACK);
        assistant.forget(r);
        s.deleted = true;
        return renderMessages("Đã xóa toàn bộ dữ liệu trợ lý lưu về bà con. Nếu nhắn tiếp, trợ lý sẽ hỏi lại bà con có đồng ý lưu câu hỏi không.");
      }
      case "menu": {
        const entry = menuEntries[n - 1];
        return entry ? entry.run(userId, s) : outOfRange(menuEntries.length);
      }
      case "skills": {
        const q = SKILL_QUESTIONS[n - 1];
        return q ? ask(userId, s, q) : outOfRange(SKILL_QUESTIONS.length);
      }
      case "suggestions": {
        const question = a.questions[n - 1];
        return question ? ask(userId, s, question) : outOfRange(a.questions.length);
      }
      case "commune": {
        const communes = o.knowledge().communes.all;
        const commune = communes[n - 1];
        if (!commune) return outOfRange(communes.length);
        assistant.setCommune(r, commune.id);
        s.awaiting = null;
        return renderMessages(`Đã chọn xã ${commune.name}. Câu hỏi về kế hoạch của xã sẽ trả lời theo xã ${commune.name}.`, [], BACK);
      }
      case "answer": {
        if (n === 1 || n === 2) {
          const ok = assistant.feedback(r, a.messageId, n === 1 ? "up" : "down");
          if (!ok) {
            s.awaiting = null;
            return renderMessages("Trợ lý không còn giữ câu trả lời này.", [], BACK);
          }
          if (n === 2) {
            s.awaiting = { kind: "reason", messageId: a.messageId };
            return renderMessages("Cảm ơn bà con. Bà con có thể gõ ngắn gọn vì sao câu trả lời chưa tốt (không bắt buộc; gõ 0 để bỏ qua).");
          }
          s.awaiting = null;
          return renderMessages("Cảm ơn bà con đã đánh giá.", [], BACK);
        }
        if (n === 3 && a.staff) {
          const outcome = assistant.requestStaff(r, { messageId: a.messageId, deliveryAddress: userId });
          if (outcome.ok) {
            s.awaiting = null;
            return renderMessages(`${STAFF_QUEUED} ${windowNote()}`, [], BACK);
          }
          if (outcome.reason === "consent_required") {
            consentQuestion(s, true);
            return renderMessages("Để gửi câu hỏi cho cán bộ xã, trợ lý cần lưu câu hỏi của bà con. Nếu đồng ý, bà con sẽ gõ lại câu hỏi ở bước sau.", [], CONSENT_CHOICE);
          }
          s.awaiting = { kind: "staff" };
          return renderMessages("Trợ lý không còn giữ câu hỏi này. Bà con gõ lại câu hỏi muốn gửi cán bộ xã (gõ «huy» để thôi).");
        }
        return null;
      }
      default:
        return null;
    }
  }

  async function onText(userId: string, s: Draft, text: string): Promise<string[]> {
    const k = key(text);
    if (!k) return renderMessages("Bà con gõ câu hỏi bằng chữ nhé.", [], BACK);
    const command = commandOf(k);
    if (command) return onCommand(userId, s, command);

    const a = s.awaiting;
    if (a?.kind === "reason") {
      s.awaiting = null;
      assistant.feedback(resident(userId), a.messageId, "down", text);
      return renderMessages("Cảm ơn bà con. Ý kiến này giúp cán bộ xã sửa câu trả lời cho tốt hơn.", [], BACK);
    }
    if (a?.kind === "staff") {
      s.awaiting = null;
      const outcome = assistant.requestStaff(resident(userId), { text, deliveryAddress: userId });
      if (outcome.ok) return renderMessages(`Đã chuyển câu hỏi cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây. ${windowNote()}`, [], BACK);
      consentQuestion(s, true);
      return renderMessages("Chưa gửi được: trợ lý cần bà con đồng ý lưu câu hỏi.", [], CONSENT_CHOICE);
    }
    const n = numberOf(k);
    if (a && n !== null) {
      const replies = await onNumber(userId, s, a, n);
      if (replies) return replies;
    }
    // A running guided flow takes the input (it matches numbers and labels itself).
    const flowReply = assistant.continueFlow(resident(userId), text);
    if (flowReply) return flowMessages(s, flowReply);
    if (n !== null && a === null) return renderMessages(`Trợ lý chưa hiểu số ${n} ở đây.`, [], BACK);
    s.awaiting = null;
    return ask(userId, s, text);
  }

  function load(userId: string): Draft {
    const stored = store.getState<ZaloSession>(sessionKey(userId));
    return { awaiting: stored?.awaiting ?? null, lastInboundAt: stored?.lastInboundAt ?? null, welcomed: stored?.welcomed ?? false, deleted: false, quiet: false };
  }

  function save(userId: string, s: Draft): void {
    if (s.deleted) return;
    const value: ZaloSession = { awaiting: s.awaiting, lastInboundAt: s.lastInboundAt, welcomed: s.welcomed };
    store.setState(sessionKey(userId), value);
  }

  return {
    async handle(event) {
      const { userId } = event;
      if (event.kind === "unfollow") return [];
      const user = assistant.user(resident(userId));
      const s = load(userId);
      s.lastInboundAt = now();
      let replies: string[];
      if (event.kind === "follow") {
        replies = user.consent === null ? welcome(s) : renderMessages(`Chào mừng bà con quay lại! ${TOPICS_LINE}`, [], BACK);
      } else if (event.kind === "media") {
        replies = renderMessages(MEDIA_REPLY);
      } else if (event.kind === "text") {
        // First contact without a follow event (e.g. a follower from before the bot): the first
        // answer comes without its numbered choices, followed by the notice and the consent
        // question, once. Menus and flows are left alone: their numbers must keep their meaning.
        const firstContact = !s.welcomed && user.consent === null;
        s.quiet = firstContact;
        replies = await onText(userId, s, event.text);
        if (firstContact && !s.deleted && s.awaiting?.kind === "answer" && assistant.user(resident(userId)).consent === null) {
          replies = [...replies, ...welcome(s)];
        }
      } else {
        replies = [];
      }
      save(userId, s);
      return replies;
    },

    session: (userId) => store.getState<ZaloSession>(sessionKey(userId)),
  };
}
