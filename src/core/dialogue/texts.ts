/**
 * Every Vietnamese text the resident dialogue says, on every channel, in one place: the menu (as
 * data), the consent wording, notices, apologies, prompts and the lines that tell residents how
 * to answer. A channel's "voice" only says how residents act there: tapping buttons (Telegram,
 * web) or typing numbers (Zalo), and the words of its commands. The dialogue takes these texts
 * and the menu as options (createDialogue); the composition root passes these defaults.
 */
import { SMARTPHONE_FLOW_ID, TWO_G_FLOW_ID } from "../flows/index.js";
import { privacyNotice, type NoticeOptions } from "../privacy/notice.js";
import type { Channel } from "../store.js";
import type { MenuEntry } from "./types.js";

/** How residents act on one channel, as the texts tell them. */
export interface Voice {
  /** Buttons to tap (Telegram, web) or numbers to type (Zalo). */
  readonly style: "buttons" | "numbers";
  /** How to delete everything, as said in the notice ("gõ /xoadulieu"). */
  readonly deleteHow: string;
  /** How to see one's data ("gõ /xemdulieu"). */
  readonly viewHow: string;
  /** The word that leaves a step ("/huy", "«huy»"). */
  readonly cancelWord: string;
  /** What to type to skip the reason after a 👎 ("/huy", "0"). */
  readonly skipWord: string;
  /** The way back to the menu, closing many replies. */
  readonly back: string;
  /** The channel's name for its user accounts ("Telegram", "Zalo"). */
  readonly accountName: string;
  /** The help lines listing this channel's commands. */
  readonly commands: readonly string[];
}

const TYPED_COMMANDS = [
  "• menu (hoặc 0): xem các chủ đề",
  "• chon xa: chọn xã của bà con",
  "• huy: thoát phần hỏi từng bước",
  "• hoi can bo: gửi câu hỏi cho cán bộ xã",
  "• quyen rieng tu: thông báo về dữ liệu cá nhân, đổi lựa chọn",
  "• xem du lieu: xem trợ lý đang lưu gì về bà con",
  "• xoa du lieu: xóa toàn bộ dữ liệu của bà con",
] as const;

export const VOICES: Readonly<Record<Channel, Voice>> = {
  telegram: {
    style: "buttons",
    deleteHow: "gõ /xoadulieu",
    viewHow: "gõ /xemdulieu",
    cancelWord: "/huy",
    skipWord: "/huy",
    back: "Gõ /menu để chọn chủ đề, hoặc gõ câu hỏi.",
    accountName: "Telegram",
    commands: [
      "/menu – chọn chủ đề",
      "/xa – chọn xã của bà con",
      "/huy – thoát khỏi phần hỏi từng bước",
      "/quyenriengtu – xem thông báo về dữ liệu cá nhân, đổi lựa chọn",
      "/xemdulieu – xem trợ lý đang lưu gì về bà con",
      "/xoadulieu – xóa toàn bộ dữ liệu của bà con",
      "/help – hướng dẫn này",
    ],
  },
  zalo: {
    style: "numbers",
    deleteHow: "gõ «xoa du lieu»",
    viewHow: "gõ «xem du lieu»",
    cancelWord: "«huy»",
    skipWord: "0",
    back: "Gõ 0 để xem menu, hoặc gõ câu hỏi.",
    accountName: "Zalo",
    commands: TYPED_COMMANDS,
  },
  web: {
    style: "buttons",
    deleteHow: "gõ «xoa du lieu»",
    viewHow: "gõ «xem du lieu»",
    cancelWord: "«huy»",
    skipWord: "«huy»",
    back: "Gõ «menu» để chọn chủ đề, hoặc gõ câu hỏi.",
    accountName: "trên trang web",
    commands: TYPED_COMMANDS,
  },
};

/** One line on what the assistant covers, for welcome and help texts. */
export const TOPICS_LINE =
  "Trợ lý số xã trả lời về: kỹ năng số, hỗ trợ điện thoại thông minh cho hộ nghèo và cận nghèo, tắt sóng 2G, kế hoạch hạ tầng số của xã.";

/** Example questions offered under "Kỹ năng số"; each is answered like typed text. */
export const SKILL_QUESTIONS = [
  "Làm sao nhận biết cuộc gọi lừa đảo giả danh công an?",
  "Bị lừa đảo qua mạng thì báo ở đâu?",
  "Đăng ký tài khoản VNeID mức 2 ở đâu?",
  "Thanh toán bằng mã QR cần kiểm tra gì?",
  "Nộp hồ sơ dịch vụ công trực tuyến thế nào?",
  "Làm sao bảo vệ thông tin cá nhân trên mạng?",
] as const;

/** The question behind "Kế hoạch hạ tầng số của xã". */
export const PLAN_QUESTION = "Kế hoạch phát triển hạ tầng số của xã đặt những mục tiêu gì?";

/** The menu, in order. Commune and privacy have commands on Telegram (/xa, /quyenriengtu). */
export const MENU: readonly MenuEntry[] = [
  { id: "skills", label: "Kỹ năng số (câu hỏi mẫu)", short: "Kỹ năng số", action: { kind: "skills" } },
  { id: "smartphone", short: "Hỗ trợ điện thoại cho hộ nghèo", action: { kind: "flow", flow: SMARTPHONE_FLOW_ID } },
  { id: "two-g", short: "Tắt sóng 2G", action: { kind: "flow", flow: TWO_G_FLOW_ID } },
  { id: "plan", label: "Kế hoạch hạ tầng số của xã", action: { kind: "ask", question: PLAN_QUESTION } },
  { id: "staff", label: "Hỏi cán bộ xã", action: { kind: "staff" } },
  { id: "commune", label: "Chọn xã của bà con", action: { kind: "commune" }, channels: ["zalo", "web"] },
  { id: "privacy", label: "Quyền riêng tư: xem, xóa dữ liệu", action: { kind: "privacy" }, channels: ["zalo", "web"] },
];

const STAFF_SENT = "Đã chuyển câu hỏi cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây.";
const GO_MENU = "Gõ 0 để xem menu.";
const FEEDBACK_NUMBERS = "Gõ 1 nếu câu trả lời giúp được bà con, 2 nếu chưa";

export const DIALOGUE_TEXTS = {
  voices: VOICES,
  greeting: "Chào bà con!",
  /** Heads the list of sources under an answer. */
  sourcesLabel: "Nguồn:",
  welcome: `Chào bà con! ${TOPICS_LINE} Mỗi câu trả lời có ghi nguồn.`,
  welcomeBack: `Chào mừng bà con quay lại! ${TOPICS_LINE}`,
  help: (v: Voice) => [TOPICS_LINE, "Bà con cứ gõ câu hỏi, có dấu hay không dấu đều được. Mỗi câu trả lời có ghi nguồn.", "", ...v.commands].join("\n"),
  /** The privacy notice (core/privacy/notice.ts), with this channel's ways to see and delete data. */
  notice: (o: NoticeOptions) => privacyNotice(o),

  consentQuestion: "Bà con có đồng ý cho trợ lý lưu câu hỏi không? Dù chọn thế nào, trợ lý vẫn trả lời bà con.",
  consentLabels: { agree: "Đồng ý lưu câu hỏi", decline: "Không đồng ý" },
  consentNumbers: "Gõ 1 để đồng ý lưu câu hỏi, 2 để không đồng ý.",
  consentThanks: "Cảm ơn bà con đã đồng ý.",
  consentAgreed: "Cảm ơn bà con đã đồng ý. Trợ lý sẽ lưu câu hỏi (đã che số điện thoại, số giấy tờ) để cán bộ xã xem và trả lời khi cần.",
  consentDeclined: "Trợ lý sẽ không lưu câu hỏi của bà con, và vẫn trả lời bình thường.",
  consentStatus: { none: "Bà con chưa chọn.", granted: "Bà con đã đồng ý lưu câu hỏi.", declined: "Bà con đã chọn không đồng ý lưu câu hỏi." },
  privacyChange: "Bà con có thể đổi lựa chọn:",
  privacyNumbers: (v: Voice) => `Gõ 3 để xem trợ lý đang lưu gì về bà con. Muốn xóa toàn bộ dữ liệu, bà con ${v.deleteHow}.`,
  myDataLabel: "Xem dữ liệu của tôi",

  skillQuestions: SKILL_QUESTIONS as readonly string[],
  menuPrompt: { buttons: "Bà con chọn chủ đề, hoặc gõ câu hỏi:", numbers: "Bà con gõ số để chọn chủ đề:" },
  menuNumbers: "Hoặc gõ câu hỏi, có dấu hay không dấu đều được.",
  skillsPrompt: {
    buttons: "Kỹ năng số: bà con chọn một câu hỏi, hoặc tự gõ câu hỏi của mình.",
    numbers: "Kỹ năng số: bà con gõ số của câu hỏi muốn xem, hoặc tự gõ câu hỏi của mình.",
  },
  toMenu: "Gõ 0 để về menu.",
  goMenu: GO_MENU,
  communePrompt: (current: string | null, v: Voice) => `${current ? `Xã đang chọn: ${current}. ` : ""}Bà con ở xã nào?${v.style === "numbers" ? " Gõ số:" : ""}`,
  communeLabel: (name: string) => `Xã ${name}`,
  communeChosen: (name: string) => `Đã chọn xã ${name}. Câu hỏi về kế hoạch của xã sẽ trả lời theo xã ${name}.`,

  deleteConfirm: "Bà con có chắc muốn xóa toàn bộ dữ liệu trợ lý đang lưu về mình (câu hỏi, lựa chọn, đánh giá, câu hỏi gửi cán bộ)? Việc này không hoàn tác được.",
  deleteLabels: { yes: "Xóa dữ liệu", no: "Không xóa" },
  deleteNumbers: "Gõ 1 để xóa, 2 để giữ lại.",
  deleteKept: "Đã giữ nguyên, không xóa gì.",
  deleted: "Đã xóa toàn bộ dữ liệu trợ lý lưu về bà con. Nếu nhắn tiếp, trợ lý sẽ hỏi lại bà con có đồng ý lưu câu hỏi không.",

  cancelled: "Đã hủy.",
  nothingToCancel: "Không có việc gì đang làm dở.",

  staffLabel: "Hỏi cán bộ xã",
  staffPrompt: (v: Voice) => `Bà con gõ câu hỏi muốn gửi cán bộ xã (gõ ${v.cancelWord} để thôi).`,
  staffNeedsConsent: "Để gửi câu hỏi cho cán bộ xã, trợ lý cần lưu câu hỏi của bà con. Bà con có đồng ý không?",
  staffNeedsConsentAgain: "Để gửi câu hỏi cho cán bộ xã, trợ lý cần lưu câu hỏi của bà con. Nếu đồng ý, bà con sẽ gõ lại câu hỏi ở bước sau.",
  staffNotSent: "Chưa gửi được: trợ lý cần bà con đồng ý lưu câu hỏi.",
  staffSent: STAFF_SENT,
  staffQuestionGone: (v: Voice) => `Trợ lý không còn giữ câu hỏi này. Bà con gõ lại câu hỏi muốn gửi cán bộ xã (gõ ${v.cancelWord} để thôi).`,
  /** Where staff answers may be late (a free reply window): what the resident does then. */
  windowNote: (hours: number) => `Nếu quá ${hours} giờ kể từ tin nhắn gần nhất của bà con mà chưa nhận được, bà con nhắn một tin bất kỳ để trợ lý gửi lại.`,
  /** The message a resident receives with a staff answer (`answer` as the staff member wrote it). */
  staffAnswer: (question: string, answer: string) => `Cán bộ xã trả lời câu hỏi của bà con:\n«${question}»\n\n${answer}`,

  feedbackLabels: { up: "👍", down: "👎" },
  feedbackThanks: "Cảm ơn bà con đã đánh giá.",
  feedbackGone: { buttons: "Không tìm thấy câu trả lời này.", numbers: "Trợ lý không còn giữ câu trả lời này." },
  reasonPrompt: (v: Voice) => `${v.style === "numbers" ? "Cảm ơn bà con. " : ""}Bà con có thể gõ ngắn gọn vì sao câu trả lời chưa tốt (không bắt buộc; gõ ${v.skipWord} để bỏ qua).`,
  reasonThanks: "Cảm ơn bà con. Ý kiến này giúp cán bộ xã sửa câu trả lời cho tốt hơn.",

  /** Notes and number lines under answers, by what the answer offers. */
  answerQueuedNote: "Câu hỏi này đã được chuyển cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây.",
  answerStaffHint: "Muốn cán bộ xã trả lời câu này, bà con bấm «Hỏi cán bộ xã» (cần đồng ý lưu câu hỏi).",
  answerNumbers: {
    full: `${FEEDBACK_NUMBERS} đúng ý, 3 để hỏi cán bộ xã. ${GO_MENU}`,
    feedback: `${FEEDBACK_NUMBERS}. ${GO_MENU}`,
    staff: (consented: boolean) => `Gõ 3 để gửi câu hỏi cho cán bộ xã${consented ? "" : " (cần bà con đồng ý lưu câu hỏi)"}. ${GO_MENU}`,
    suggestions: (n: number) => `Gõ số từ 1 đến ${n} để chọn. ${GO_MENU}`,
  },
  suggestionsGone: "Trợ lý không còn giữ các câu gợi ý này. Bà con gõ lại câu hỏi nhé.",

  flowCancelLabel: "Hủy",
  flowNumbers: "Gõ số để chọn. Gõ «huy» để thoát, 0 để về menu.",
  flowOver: "Phần hỏi từng bước này đã kết thúc hoặc hết hạn.",

  noSuchChoice: (n: number, max: number) => `Chưa có lựa chọn số ${n}. Bà con gõ một số từ 1 đến ${max}, hoặc gõ 0 để xem menu.`,
  unknownNumber: (n: number) => `Trợ lý chưa hiểu số ${n} ở đây.`,
  emptyText: "Bà con gõ câu hỏi bằng chữ nhé.",
  media: "Trợ lý chỉ đọc được tin nhắn chữ, chưa xem được ảnh, nhãn dán, tệp hay vị trí. Bà con vui lòng gõ câu hỏi bằng chữ (có dấu hay không dấu đều được).",
  tooFast: "Bà con gửi nhanh quá, xin đợi một chút rồi hỏi tiếp nhé.",
  /** Shown on a tapped button itself, so the tap never spins forever. */
  tooFastTap: "Bà con bấm nhanh quá, xin đợi một chút rồi bấm lại nhé.",
  apology: "Xin lỗi bà con, trợ lý đang gặp trục trặc. Bà con vui lòng thử lại sau ít phút.",

  /** In a shared conversation (a Telegram group): private things go to the private chat. */
  shared: {
    noticeSent: "Trợ lý đã nhắn riêng cho bà con thông báo về dữ liệu cá nhân và câu hỏi có đồng ý lưu câu hỏi không.",
    noticeFailed: "Thông báo về dữ liệu cá nhân chỉ gửi trong tin nhắn riêng. Bà con bấm nút dưới để nhắn riêng cho trợ lý, rồi bấm «Bắt đầu».",
    openPrivate: "Nhắn riêng cho trợ lý",
    myDataSent: "Trợ lý đã gửi dữ liệu của bà con vào tin nhắn riêng.",
    myDataFailed: "Trợ lý chưa nhắn riêng được cho bà con. Bà con mở trò chuyện riêng với trợ lý, gõ /start, rồi gõ /xemdulieu.",
  },
};

/** The texts a dialogue speaks: DIALOGUE_TEXTS, or a copy with some replaced. */
export type DialogueTexts = typeof DIALOGUE_TEXTS;
