/**
 * Every canned reply of the answerer, in one place: small talk, refusals, "did you mean",
 * topic-aware hand-offs and the commune note, in Vietnamese and English. Short on purpose: the
 * resident reads them on a small phone; each says why and where to go.
 */
import type { Commune } from "../knowledge/communes.js";
import type { RefusalMatch, SmallTalkKind } from "../text/lexicon.js";
import type { Language } from "../understanding/language.js";

/** What the assistant can help with, listed when asked and in refusals. */
export const TOPIC_MENU = [
  "Hỗ trợ điện thoại thông minh cho hộ nghèo, hộ cận nghèo (Thông tư 14/2022, chương trình đến hết năm 2025)",
  "Tắt sóng 2G: máy nào còn dùng được, cần làm gì",
  "VNeID, dịch vụ công trực tuyến, thanh toán QR, mua bán trên mạng",
  "Lừa đảo qua mạng: nhận biết, xử lý khi bị lừa, báo ở đâu",
  "Kế hoạch hạ tầng số của xã đến năm 2025 và việc sáp nhập xã năm 2025",
] as const;

const SCOPE_VI = "Tôi trả lời được về: hỗ trợ điện thoại cho hộ nghèo, tắt sóng 2G, VNeID và dịch vụ công, lừa đảo qua mạng, kế hoạch hạ tầng số của xã.";
const SCOPE_EN = "I can help with: the 2G shutdown, the smartphone support for poor households, VNeID and online public services, online scams, and the commune's digital-infrastructure plan.";

const SMALL_TALK_VI: Record<SmallTalkKind, string> = {
  greeting: "Chào bà con! Tôi là Trợ lý số xã. Bà con cứ gõ câu hỏi, ví dụ về điện thoại 2G, hỗ trợ điện thoại cho hộ nghèo, VNeID hay lừa đảo qua mạng.",
  thanks: "Dạ, không có gì ạ. Bà con cần hỏi thêm cứ nhắn cho tôi nhé.",
  ack: "Dạ. Bà con cần hỏi gì thêm cứ nhắn nhé.",
  bye: "Chào bà con, chúc bà con mạnh khỏe! Khi cần, bà con cứ nhắn lại.",
  identity:
    "Tôi là Trợ lý số xã, một chương trình trả lời tự động (không phải người), dựa trên tài liệu có ghi nguồn. Câu nào tôi chưa trả lời được, bà con có thể nhờ chuyển cho cán bộ xã.",
  capabilities: `${SCOPE_VI} Bà con cứ gõ câu hỏi như khi nhắn tin bình thường, có dấu hay không dấu đều được.`,
  presence: "Dạ, có tôi đây (Trợ lý số xã, trả lời tự động). Bà con cứ gõ câu hỏi nhé.",
};

const SMALL_TALK_EN: Record<SmallTalkKind, string> = {
  greeting: `Hello! I am the commune's digital assistant. ${SCOPE_EN}`,
  thanks: "You're welcome. Ask me anything else any time.",
  ack: "OK. Ask me anything else any time.",
  bye: "Goodbye, take care!",
  identity: `I am the commune's digital assistant, an automatic program (not a person) that answers from documents with sources. ${SCOPE_EN}`,
  capabilities: SCOPE_EN,
  presence: "Yes, I'm here (an automatic assistant). Please type your question.",
};

/** The short reply to small talk. */
export function smallTalkReply(kind: SmallTalkKind, lang: Language): string {
  return (lang === "en" ? SMALL_TALK_EN : SMALL_TALK_VI)[kind];
}

const DEFAULT_LABEL: Partial<Record<RefusalMatch["category"], string>> = {
  lottery: "xổ số, lô đề",
  betting: "cá cược",
  weather: "thời tiết",
  prices: "giá cả thị trường",
  politics: "chính trị",
  off_topic: "việc này",
  near_miss: "chế độ, chương trình này",
};

/** A refusal: why, and where to go instead. */
export function refusalReply(match: RefusalMatch, lang: Language): string {
  if (lang === "en") {
    switch (match.category) {
      case "personal_data":
        return "Sorry, I can't look up or give out anyone's personal information (phone numbers, addresses, ID numbers, accounts, household lists): the law protects it. To reach someone, ask people you know, the hamlet head (trưởng thôn) or the commune People's Committee (Ủy ban nhân dân xã); to find someone or report a suspected scam, go to the commune police (Công an xã).";
      case "medical":
        return "Sorry, I can't give medical advice. In an emergency call 115 (free); otherwise please see a doctor at the commune health station or a clinic.";
      case "instruction":
        return `I only answer questions from the commune's documents, with sources; I don't change roles, write poems, translate or reveal my settings. Anything an official must do (certify, issue papers) is done at the commune People's Committee (Ủy ban nhân dân xã). ${SCOPE_EN}`;
      case "opinion":
        return `I don't give personal opinions or recommend products or carriers; I only say what the documents say, with sources. Views and petitions on commune matters go to the commune People's Committee (Ủy ban nhân dân xã). ${SCOPE_EN}`;
      default:
        // The office to ask is named in Vietnamese, as the resident will need to say it.
        return `Sorry, that is outside what I can help with. ${match.redirect ? `Where to ask: ${match.redirect}` : "For other matters, please ask the commune People's Committee (Ủy ban nhân dân xã)."} ${SCOPE_EN}`;
    }
  }
  const redirect = match.redirect ? ` ${match.redirect}` : "";
  switch (match.category) {
    case "personal_data":
      return `Xin lỗi, tôi không tra cứu hay cung cấp thông tin cá nhân của người khác (số điện thoại, địa chỉ, số căn cước, tài khoản, danh sách hộ…): pháp luật bảo vệ những thông tin này.${redirect || " Muốn liên lạc với ai, bà con hỏi trực tiếp người đó, người quen, trưởng thôn hoặc Ủy ban nhân dân xã; tìm người, đòi nợ hay nghi bị lừa thì trình báo Công an xã."}`;
    case "medical":
      return `Xin lỗi, tôi không tư vấn về bệnh hay thuốc. Cấp cứu thì gọi ngay 115 (miễn phí); còn lại bà con đến trạm y tế xã hoặc cơ sở y tế để bác sĩ khám.${redirect}`;
    case "instruction":
      return `Tôi chỉ trả lời câu hỏi theo tài liệu có nguồn của xã; tôi không đổi vai, làm thơ, dịch bài hay tiết lộ cách cài đặt của mình. Việc cần cán bộ làm (xác nhận, giấy tờ) thì bà con đến Ủy ban nhân dân xã. ${SCOPE_VI}`;
    case "opinion":
      return `Tôi không đưa ý kiến riêng, không so sánh hay khuyên chọn hãng máy, nhà mạng; tôi chỉ nói điều tài liệu ghi, kèm nguồn.${redirect || " Ý kiến, kiến nghị về việc chung của xã thì bà con gửi Ủy ban nhân dân xã."} ${SCOPE_VI}`;
    case "near_miss":
      return `Xin lỗi, tôi không có thông tin về ${match.label ?? DEFAULT_LABEL.near_miss}.${redirect || " Bà con hỏi Ủy ban nhân dân xã (bộ phận Văn hóa – Xã hội) để được hướng dẫn."} ${SCOPE_VI}`;
    default:
      return `Xin lỗi, câu hỏi về ${match.label ?? DEFAULT_LABEL[match.category] ?? "việc này"} nằm ngoài phạm vi của Trợ lý số xã.${redirect} ${SCOPE_VI}`;
  }
}

/** Topics a hand-off can point to the right helper for. */
export type HandoffTopic = "scam" | "subsidy" | "2g" | "vneid" | "payments" | "plan" | "context" | "general";

const HANDOFF_NEXT_VI: Record<HandoffTopic, string> = {
  scam: "Nếu bà con vừa bị lừa chuyển tiền hay lộ mã OTP: gọi ngay ngân hàng để khóa tài khoản hoặc tra soát giao dịch, rồi trình báo công an gần nhất (Công an xã); có thể phản ánh thêm qua tổng đài 156 hoặc đầu số 5656.",
  subsidy: "Hỗ trợ điện thoại 2021–2025 đã kết thúc ngày 31/12/2025; hiện có hỗ trợ mới hay không, bà con hỏi Ủy ban nhân dân xã.",
  "2g": "Bà con mang điện thoại đến cửa hàng của nhà mạng đang dùng để được kiểm tra máy và hướng dẫn.",
  vneid: "Bà con hỏi Công an xã (VNeID, căn cước) hoặc Bộ phận một cửa của xã (thủ tục hành chính).",
  payments: "Bà con hỏi ngân hàng hoặc ví điện tử mình đang dùng (tổng đài hoặc quầy giao dịch).",
  plan: "Bà con hỏi Ủy ban nhân dân xã, nơi theo dõi kế hoạch hạ tầng số.",
  context: "Bà con hỏi Ủy ban nhân dân xã để biết thông tin mới nhất.",
  general: "Bà con có thể hỏi trực tiếp cán bộ Ủy ban nhân dân xã.",
};

const HANDOFF_NEXT_EN: Record<HandoffTopic, string> = {
  scam: "If you have just been scammed or gave away an OTP code: call your bank at once to lock the account or trace the transfer, then report to the nearest police station (Công an xã).",
  subsidy: "The 2021–2025 smartphone support ended on 31/12/2025; ask the commune People's Committee whether any support exists now.",
  "2g": "Please take your phone to a shop of your mobile carrier to have it checked.",
  vneid: "Please ask the commune police (Công an xã) about VNeID and ID cards.",
  payments: "Please ask your bank or e-wallet provider.",
  plan: "Please ask the commune People's Committee (Ủy ban nhân dân xã).",
  context: "Please ask the commune People's Committee (Ủy ban nhân dân xã).",
  general: "Please ask the commune People's Committee (Ủy ban nhân dân xã).",
};

/** Said when nothing in the knowledge answers the question: what to do instead, by topic. */
export function handoffReply(topic: HandoffTopic = "general", lang: Language = "vi"): string {
  if (lang === "en") return `Sorry, I don't have reliable information to answer that. ${HANDOFF_NEXT_EN[topic]}`;
  const lead = topic === "scam" ? "Tôi chưa có câu trả lời chắc chắn cho trường hợp này." : "Xin lỗi, tôi chưa có thông tin chắc chắn để trả lời câu này.";
  return `${lead} ${HANDOFF_NEXT_VI[topic]}`;
}

/** "Có phải bà con muốn hỏi…?" with numbered suggestions (channels also render them as buttons or links). */
export function clarifyReply(suggestions: readonly string[], lang: Language): string {
  const list = suggestions.map((s, i) => `${i + 1}. ${s}`).join("\n");
  if (lang === "en") return `I'm not sure which of these you mean:\n${list}\nPick one, or ask again in other words.`;
  return `Có phải bà con muốn hỏi:\n${list}\nBà con chọn một câu, hoặc gõ lại câu hỏi rõ hơn.`;
}

/** "Xã Cộng Hòa cũ (nay thuộc xã Minh Tân, tỉnh Ninh Bình)". */
export function communeLabel(commune: Commune): string {
  return commune.current_unit ? `xã ${commune.name} cũ (nay thuộc ${commune.current_unit})` : `xã ${commune.name}`;
}

/** Said under a commune's own information when the question named no commune. */
export function defaultCommuneNote(commune: Commune, others: readonly Commune[]): string {
  const rest = others.filter((c) => c.id !== commune.id).map((c) => `xã ${c.name}`);
  return `Đây là thông tin của ${communeLabel(commune)}.${rest.length ? ` Hỏi về ${rest.join(", ")} thì bà con ghi rõ tên xã.` : ""}`;
}
