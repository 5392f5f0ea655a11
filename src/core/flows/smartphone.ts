/**
 * "Kiểm tra hỗ trợ điện thoại thông minh": household type → tablet already received → smartphone
 * already bought → which form of support applied (or why none), what to bring, whom to ask. Every
 * fact in an outcome is a unit quoted from the Thông tư 14/2022 knowledge file.
 */
import { askStep, finalReply, quoteUnits, type Quote, type QuoteGroup, type StepDef } from "./knowledge-lookup.js";
import type { Flow, FlowOption, FlowReply, FlowResult, FlowState, KnowledgeLookup } from "./types.js";

/** Stable id of the smartphone-support flow (stored in FlowState.flow). */
export const SMARTPHONE_FLOW_ID = "smartphone-support";

const TITLE = "Kiểm tra hỗ trợ điện thoại thông minh";
const DOC = "tt14-2022-ho-tro-dien-thoai";

const S1 = "1. Hộ nghèo, hộ cận nghèo có được Nhà nước hỗ trợ điện thoại thông minh không";
const S4 = "4. Hai hình thức hỗ trợ điện thoại thông minh: nhận máy hoặc nhận 500.000 đồng";
const S4_PACKAGE = `${S4} › Gói hỗ trợ kết hợp: nhận điện thoại thông minh kèm cước di động`;
const S4_CASH = `${S4} › Hộ đã tự mua điện thoại thông minh có được hỗ trợ tiền không`;
const S6 = "6. Nhà tôi là hộ nghèo, hộ cận nghèo: cần làm gì để được hỗ trợ điện thoại";
const S6_WHERE = `${S6} › Hỏi ở đâu, đăng ký ở đâu: liên hệ Ủy ban nhân dân xã`;
const S7 = "7. Hộ đã nhận máy tính bảng thì không được nhận thêm điện thoại thông minh";
const S9 = "9. Hỗ trợ điện thoại thông minh sau năm 2025";

type StepId = "household" | "device" | "bought";

interface StepOption extends FlowOption {
  /** How the choice reads in the outcome's summary ("nhà mình là hộ nghèo"). */
  readonly summary: string;
}

const STEPS: Readonly<Record<StepId, { readonly question: string; readonly options: readonly StepOption[] }>> = {
  household: {
    question: "Câu 1/3: Nhà bà con có phải là hộ nghèo hoặc hộ cận nghèo không?",
    options: [
      { id: "ho-ngheo", label: "Hộ nghèo", summary: "nhà mình là hộ nghèo" },
      { id: "ho-can-ngheo", label: "Hộ cận nghèo", summary: "nhà mình là hộ cận nghèo" },
      { id: "khong", label: "Không phải", summary: "nhà mình không phải hộ nghèo, hộ cận nghèo" },
      { id: "chua-ro", label: "Chưa rõ", summary: "bà con chưa rõ nhà mình có phải hộ nghèo, hộ cận nghèo không" },
    ],
  },
  device: {
    question:
      'Câu 2/3: Nhà mình đã từng nhận máy tính bảng, hoặc máy tính của chương trình "Sóng và máy tính cho em" chưa?',
    options: [
      { id: "co", label: "Có, đã nhận", summary: "đã nhận máy tính bảng hoặc máy tính học trực tuyến" },
      { id: "khong", label: "Không, chưa nhận", summary: "chưa nhận máy tính bảng" },
      { id: "khong-nho", label: "Không nhớ", summary: "không nhớ đã nhận máy tính bảng hay chưa" },
    ],
  },
  bought: {
    question: "Câu 3/3: Nhà mình đã tự mua điện thoại thông minh (điện thoại cảm ứng) chưa?",
    options: [
      { id: "da-mua", label: "Đã mua, từ ngày 12/12/2022 trở về sau", summary: "đã tự mua điện thoại thông minh từ ngày 12/12/2022 trở về sau" },
      { id: "mua-truoc", label: "Mua trước ngày 12/12/2022", summary: "mua điện thoại thông minh trước ngày 12/12/2022" },
      { id: "chua-mua", label: "Chưa mua", summary: "chưa mua điện thoại thông minh" },
    ],
  },
};

function isStepId(step: string): step is StepId {
  return Object.hasOwn(STEPS, step);
}

/** The knowledge units the outcomes quote, resolved once so a changed file fails at load time. */
function loadQuotes(lookup: KnowledgeLookup) {
  const [ended] = quoteUnits(lookup, DOC, S9, ["chạy đến hết ngày 31/12/2025 và nay đã kết thúc"]);
  const [householdTypes, afterUnknown] = quoteUnits(lookup, DOC, S1, [
    "là hai loại hộ được Nhà nước hỗ trợ",
    "sau năm 2025 theo các quy định mới",
  ]);
  const [package1, packageDifference, packageUnknown] = quoteUnits(lookup, DOC, S4_PACKAGE, [
    "hộ nhận một chiếc điện thoại thông minh kèm",
    "hộ tự trả phần tiền chênh lệch",
    "Giá trị tối đa của chiếc điện thoại",
  ]);
  const [cash, cashDifference, cashUnknown, boughtBefore] = quoteUnits(lookup, DOC, S4_CASH, [
    "đã tự mua điện thoại thông minh (điện thoại cảm ứng) được hỗ trợ tiền",
    "hộ tự chịu phần tiền chênh lệch",
    "Giấy tờ cần nộp để nhận",
    "trước ngày 12/12/2022 không thuộc diện",
  ]);
  const [checkHousehold, checkDevice, bringCertificate] = quoteUnits(lookup, DOC, S6, ["Bước 1:", "Bước 2:", "Bước 3:"]);
  const [askCommune] = quoteUnits(lookup, DOC, S6_WHERE, ["nên hỏi trực tiếp Ủy ban nhân dân xã"]);
  const tablet = quoteUnits(lookup, DOC, S7, [
    "Hộ đã nhận máy tính bảng của Chương trình viễn thông công ích",
    "để học trực tuyến từ Chương trình",
  ]);
  return {
    /** Every outcome: the programme ended on 31/12/2025 and what comes after is unknown (ask UBND xã). */
    ended: [ended, afterUnknown] as Quote[],
    householdTypes: householdTypes as Quote,
    package: [package1, packageDifference] as Quote[],
    packageUnknown: packageUnknown as Quote,
    cash: [cash, cashDifference] as Quote[],
    cashUnknown: cashUnknown as Quote,
    boughtBefore: boughtBefore as Quote,
    checkHousehold: checkHousehold as Quote,
    checkDevice: checkDevice as Quote,
    bringCertificate: bringCertificate as Quote,
    askCommune: askCommune as Quote,
    tablet,
  };
}

type Quotes = ReturnType<typeof loadQuotes>;

// The brief asks for about six quoted units per outcome; an uncertain answer ("chưa rõ", "không
// nhớ") adds the step that lets the resident check it, and then the "still unknown" detail is the
// first thing left out so a reply never exceeds this.
const MAX_QUOTES = 7;

function outcome(quotes: Quotes, answers: Readonly<Record<string, string>>): FlowReply {
  const summary = (Object.keys(STEPS) as StepId[])
    .map((step) => STEPS[step].options.find((o) => o.id === answers[step])?.summary)
    .filter((s): s is string => Boolean(s))
    .join(", ");
  const intro = `Theo những gì bà con chọn: ${summary}.`;
  const first: QuoteGroup = { heading: "Lưu ý trước:", quotes: quotes.ended };

  if (answers.household === "khong") {
    return reply(intro, [
      first,
      { heading: "Vì sao nhà mình không thuộc diện hỗ trợ điện thoại thông minh:", quotes: [quotes.householdTypes] },
      { heading: "Bà con nên hỏi:", quotes: [quotes.askCommune] },
    ]);
  }
  if (answers.device === "co") {
    return reply(intro, [
      first,
      { heading: "Vì sao nhà mình không thuộc diện hỗ trợ điện thoại thông minh:", quotes: quotes.tablet },
      { heading: "Bà con nên hỏi:", quotes: [quotes.askCommune] },
    ]);
  }

  const checks: QuoteGroup[] = [];
  if (answers.household === "chua-ro") {
    checks.push({ heading: "Bà con chưa rõ nhà mình có phải hộ nghèo, hộ cận nghèo không:", quotes: [quotes.checkHousehold] });
  }
  if (answers.device === "khong-nho") {
    checks.push({ heading: "Bà con không nhớ nhà mình đã nhận máy tính bảng hay chưa:", quotes: [quotes.checkDevice] });
  }
  const bring: QuoteGroup = { heading: "Cần mang gì, hỏi ai:", quotes: [quotes.bringCertificate] };

  if (answers.bought === "mua-truoc") {
    return reply(
      intro,
      [first, { heading: "Về khoản tiền cho điện thoại nhà mình đã tự mua:", quotes: [quotes.boughtBefore] }, ...checks, bring],
      "Còn việc nhà mình có được nhận máy theo gói hỗ trợ kết hợp hay không, bà con hỏi thêm cán bộ xã.",
    );
  }
  const applies: QuoteGroup =
    answers.bought === "da-mua"
      ? { heading: "Hình thức hỗ trợ hợp với nhà mình (theo quy định của Chương trình):", quotes: quotes.cash }
      : { heading: "Hình thức hỗ trợ hợp với nhà mình (theo quy định của Chương trình):", quotes: quotes.package };
  const unknown: QuoteGroup = {
    heading: "Điều chưa rõ:",
    quotes: [answers.bought === "da-mua" ? quotes.cashUnknown : quotes.packageUnknown],
  };
  const groups = [first, applies, ...checks, bring];
  const count = groups.reduce((n, g) => n + g.quotes.length, 0);
  return reply(intro, count + 1 <= MAX_QUOTES ? [...groups, unknown] : groups);
}

const reply = finalReply;

function ask(step: StepId, answers: Readonly<Record<string, string>>, now: number, prefix?: string): FlowResult {
  const def: StepDef = STEPS[step];
  return askStep(SMARTPHONE_FLOW_ID, step, def, answers, now, prefix);
}

/** The next step after `answers`, or null when the outcome is known (irrelevant steps skipped). */
function nextStep(answers: Readonly<Record<string, string>>): StepId | null {
  if (answers.household === undefined) return "household";
  if (answers.household === "khong") return null;
  if (answers.device === undefined) return "device";
  if (answers.device === "co") return null;
  if (answers.bought === undefined) return "bought";
  return null;
}

/**
 * Creates the smartphone-support flow. Throws AppError KNOWLEDGE_INVALID if a quoted section or
 * unit is missing from the knowledge. `step` with an id that is not an option of the current step
 * repeats the question and returns the state unchanged; a state from an unknown step starts over.
 */
export function createSmartphoneFlow(lookup: KnowledgeLookup): Flow {
  const quotes = loadQuotes(lookup);
  const start = (now: number) => ask("household", {}, now, `${TITLE}: bà con trả lời 3 câu hỏi ngắn.`);
  const prompt = (state: FlowState, now: number): FlowResult =>
    state.flow === SMARTPHONE_FLOW_ID && isStepId(state.step) ? { state, reply: ask(state.step, state.answers, now).reply } : start(now);
  return {
    id: SMARTPHONE_FLOW_ID,
    title: TITLE,
    start,
    prompt,
    step(state: FlowState, optionId: string, now: number): FlowResult {
      if (state.flow !== SMARTPHONE_FLOW_ID || !isStepId(state.step)) return start(now);
      const current = state.step;
      if (!STEPS[current].options.some((o) => o.id === optionId)) return prompt(state, now);
      const answers = { ...state.answers, [current]: optionId };
      const next = nextStep(answers);
      if (next) return ask(next, answers, now);
      return { state: null, reply: outcome(quotes, answers) };
    },
  };
}
