/**
 * "Kiểm tra điện thoại khi tắt sóng 2G": which phone the resident has → what the 2G shutdown means
 * for it, what to do, carrier support. "Không rõ" explains how to find out and asks again. Every
 * fact in a reply is a unit quoted from the 2G knowledge files.
 */
import { askStep, composeQuoted, finalReply, quoteUnits, type QuoteGroup, type StepDef } from "./knowledge-lookup.js";
import type { Flow, FlowOption, FlowReply, FlowResult, FlowState, KnowledgeLookup } from "./types.js";

/** Stable id of the 2G phone-check flow (stored in FlowState.flow). */
export const TWO_G_FLOW_ID = "two-g-phone";

const TITLE = "Kiểm tra điện thoại khi tắt sóng 2G";

const PHONES = "dien-thoai-sau-khi-tat-2g";
const SWAP = "ho-tro-doi-may-2g-len-4g";
const ROADMAP = "lo-trinh-tat-song-2g";

const P1 = "1. Điện thoại của tôi có dùng được sau khi tắt 2G không: các bước kiểm tra";
const P1_2G_ONLY = `${P1} › Máy bàn phím chỉ có 2G (máy "cục gạch" 2G) không còn dùng được`;
const P1_NO_VOLTE = `${P1} › Máy 4G không có VoLTE sau khi tắt hẳn 2G thì không gọi điện được`;
const P1_VOLTE = `${P1} › Điện thoại thông minh 4G có VoLTE vẫn dùng được sau khi tắt 2G`;
const P2 = "2. Cách kiểm tra điện thoại có phải máy chỉ dùng được 2G không";
const P2_TQC = `${P2} › Tra cứu máy 2G đã được chứng nhận hợp quy tại tqc.gov.vn/2g-only`;
const P3_SIM = "3. Có phải đổi SIM 2G sang SIM 4G không?";
const SWAP_NOW = "1. Chương trình hỗ trợ đổi máy 2G hiện nay: hỏi cửa hàng nhà mạng";
const ROADMAP_NOW = "1. Tình hình tắt sóng 2G tính đến ngày 1/11/2026";

type PhoneId = "2g-only" | "4g-keypad" | "smartphone-4g";

const PHONE_OPTIONS: readonly FlowOption[] = [
  { id: "2g-only", label: 'Máy bàn phím chỉ có 2G ("cục gạch")' },
  { id: "4g-keypad", label: "Máy bàn phím 4G" },
  { id: "smartphone-4g", label: "Điện thoại thông minh 4G (cảm ứng)" },
];

type StepId = "phone" | "phone-again";

const STEPS: Readonly<Record<StepId, StepDef>> = {
  phone: {
    question: "Điện thoại bà con đang dùng là loại nào?",
    options: [...PHONE_OPTIONS, { id: "unknown", label: "Không rõ" }],
  },
  "phone-again": {
    question: "Biết rồi thì bà con chọn lại loại máy của mình:",
    options: [...PHONE_OPTIONS, { id: "still-unknown", label: "Vẫn chưa rõ" }],
  },
};

function isStepId(step: string): step is StepId {
  return Object.hasOwn(STEPS, step);
}

/** The knowledge units the replies quote, resolved once so a changed file fails at load time. */
function loadQuotes(lookup: KnowledgeLookup) {
  const twoGOnly = quoteUnits(lookup, PHONES, P1_2G_ONLY, [
    "đã bị khóa hai chiều từ 0 giờ ngày",
    "Máy bị khóa hai chiều thì",
    "toàn bộ mạng 2G tắt hẳn sau ngày",
    "cần đổi sang máy 4G có VoLTE",
  ]);
  const noVolte = quoteUnits(lookup, PHONES, P1_NO_VOLTE, [
    "máy 4G không có VoLTE mất khả năng gọi điện",
    "cần đổi sang máy có VoLTE để tiếp tục gọi điện",
    "không biết máy mình có VoLTE hay không",
  ]);
  const volte = quoteUnits(lookup, PHONES, P1_VOLTE, [
    "gọi điện qua mạng 4G, nên không cần đến mạng 2G",
    "chỉ còn mạng 4G và 5G",
    "Người dùng máy chỉ có 3G",
  ]);
  const [readMessages, askShopToCheck] = quoteUnits(lookup, PHONES, P1, ["đọc kỹ tin nhắn", "Nếu chưa biết máy mình thuộc loại nào"]);
  const [smsUnknown] = quoteUnits(lookup, PHONES, P2, ["cú pháp tin nhắn SMS miễn phí"]);
  const [tqc] = quoteUnits(lookup, PHONES, P2_TQC, ["được tra cứu tại trang tqc.gov.vn/2g-only"]);
  const [sim] = quoteUnits(lookup, PHONES, P3_SIM, ["mang SIM và điện thoại đến cửa hàng"]);
  const [shopSupport, supportUnknown] = quoteUnits(lookup, SWAP, SWAP_NOW, [
    "để hỏi chương trình hỗ trợ hiện nay",
    "chưa có thông tin về chương trình hỗ trợ đổi máy",
  ]);
  const [phase2Passed, localUnknown] = quoteUnits(lookup, ROADMAP, ROADMAP_NOW, [
    "Giai đoạn 2 của việc tắt sóng 2G",
    "chưa có thông tin chính thức về việc tắt 2G",
  ]);
  const [twoGLocked, twoGMeaning, twoGEnd, twoGSwitch] = twoGOnly;
  const [noVolteLoses, noVolteSwitch, volteCheck] = noVolte;
  const [volteWorks, volteNetworks, threeG] = volte;
  const q = <T>(value: T | undefined): T => value as T;
  return {
    "2g-only": [
      { heading: "Điều này có nghĩa là:", quotes: [q(twoGLocked), q(twoGMeaning), q(twoGEnd)] },
      { heading: "Bà con nên làm:", quotes: [q(twoGSwitch), q(shopSupport)] },
      { heading: "Điều chưa rõ:", quotes: [q(supportUnknown)] },
    ],
    "4g-keypad": [
      { heading: "Nếu máy bàn phím 4G của bà con không có VoLTE:", quotes: [q(noVolteLoses), q(phase2Passed)] },
      { heading: "Bà con nên làm:", quotes: [q(volteCheck), q(noVolteSwitch), q(shopSupport)] },
      { heading: "Điều chưa rõ:", quotes: [q(localUnknown)] },
    ],
    "smartphone-4g": [
      { heading: "Điều này có nghĩa là:", quotes: [q(volteWorks), q(volteNetworks), q(threeG)] },
      { heading: "Bà con nên làm:", quotes: [q(volteCheck), q(sim)] },
    ],
    howToFind: [
      { heading: "Cách biết máy mình thuộc loại nào:", quotes: [q(readMessages), q(askShopToCheck), q(tqc)] },
      { heading: "Điều chưa rõ:", quotes: [q(smsUnknown)] },
    ],
    "still-unknown": [
      { heading: "Bà con nên làm:", quotes: [q(askShopToCheck), q(shopSupport)] },
      { heading: "Lưu ý:", quotes: [q(phase2Passed)] },
      { heading: "Điều chưa rõ:", quotes: [q(localUnknown)] },
    ],
  } satisfies Record<PhoneId | "howToFind" | "still-unknown", readonly QuoteGroup[]>;
}

const POOR_HOUSEHOLD_HINT =
  "Nếu nhà mình là hộ nghèo, hộ cận nghèo, bà con có thể chọn thêm mục “Kiểm tra hỗ trợ điện thoại thông minh”.";

function outcome(groups: readonly QuoteGroup[], chosen: string, outro?: string): FlowReply {
  return finalReply(`Theo những gì bà con chọn: ${chosen}.`, groups, outro);
}

function ask(step: StepId, answers: Readonly<Record<string, string>>, now: number, prefix?: string): FlowResult {
  return askStep(TWO_G_FLOW_ID, step, STEPS[step], answers, now, prefix);
}

/**
 * Creates the 2G phone-check flow. Throws AppError KNOWLEDGE_INVALID if a quoted section or unit
 * is missing from the knowledge. `step` with an id that is not an option of the current step
 * repeats the question and returns the state unchanged; a state from an unknown step starts over.
 */
export function createTwoGFlow(lookup: KnowledgeLookup): Flow {
  const quotes = loadQuotes(lookup);
  const start = (now: number) => ask("phone", {}, now, `${TITLE}.`);
  const prompt = (state: FlowState, now: number): FlowResult =>
    state.flow === TWO_G_FLOW_ID && isStepId(state.step) ? { state, reply: ask(state.step, state.answers, now).reply } : start(now);
  return {
    id: TWO_G_FLOW_ID,
    title: TITLE,
    start,
    prompt,
    step(state: FlowState, optionId: string, now: number): FlowResult {
      if (state.flow !== TWO_G_FLOW_ID || !isStepId(state.step)) return start(now);
      const current = state.step;
      const chosen = STEPS[current].options.find((o) => o.id === optionId);
      if (!chosen) return prompt(state, now);
      const answers = { ...state.answers, [current]: optionId };

      if (optionId === "unknown") {
        const help = composeQuoted({ intro: "Bà con có thể tìm hiểu như sau.", groups: quotes.howToFind });
        const again = ask("phone-again", answers, now);
        return {
          state: again.state,
          reply: { text: `${help.text}\n\n${again.reply.text}`, options: again.reply.options, sources: help.sources },
        };
      }
      if (optionId === "still-unknown") {
        return { state: null, reply: outcome(quotes["still-unknown"], "bà con chưa rõ máy mình thuộc loại nào") };
      }
      const phone = optionId as PhoneId;
      const label = chosen.label.charAt(0).toLowerCase() + chosen.label.slice(1);
      const hint = phone === "smartphone-4g" ? undefined : POOR_HOUSEHOLD_HINT;
      return { state: null, reply: outcome(quotes[phone], label, hint) };
    },
  };
}
