import type { RefusalCategory } from "../text/lexicon.js";

/** What the assistant can help with, listed in refusals and handoffs. */
export const TOPIC_MENU = [
  "Kỹ năng số cơ bản: dùng Internet, thư điện tử, mua bán và thanh toán trực tuyến, VNeID, dịch vụ công trực tuyến, phòng tránh lừa đảo",
  "Hỗ trợ điện thoại thông minh cho hộ nghèo, hộ cận nghèo (Thông tư 14/2022/TT-BTTTT)",
  "Tắt sóng 2G: điện thoại nào bị ảnh hưởng, cần làm gì",
  "Kế hoạch phát triển hạ tầng số của xã đến năm 2025",
] as const;

const menuText = () => TOPIC_MENU.map((t, i) => `${i + 1}. ${t}`).join("\n");

const OFF_TOPIC = (what: string) =>
  `Xin lỗi bà con, câu hỏi về ${what} nằm ngoài phạm vi hỗ trợ của Trợ lý số xã, nên tôi không có thông tin để trả lời.\n\nTôi có thể giúp bà con về:\n${menuText()}`;

/** Polite refusals, one per category; each says why and what the assistant can do instead. */
export const REFUSAL_REPLIES: Record<RefusalCategory, () => string> = {
  personal_data: () =>
    "Xin lỗi, tôi không thể cung cấp hay tra cứu thông tin cá nhân của người khác (số điện thoại, địa chỉ, số căn cước, tài khoản…). Dữ liệu cá nhân của mỗi người được pháp luật bảo vệ.\n\nNếu cần liên hệ việc chung, bà con vui lòng đến trực tiếp Ủy ban nhân dân xã để được hướng dẫn.",
  medical: () =>
    "Xin lỗi, tôi không thể tư vấn về bệnh hay thuốc men. Nếu người nhà đang ốm nặng hoặc cần cấp cứu, bà con hãy gọi ngay 115 (gọi miễn phí) hoặc đưa người bệnh đến cơ sở y tế gần nhất để bác sĩ khám.",
  lottery: () => OFF_TOPIC("xổ số, lô đề"),
  betting: () => OFF_TOPIC("cá cược"),
  weather: () => OFF_TOPIC("thời tiết"),
  prices: () => OFF_TOPIC("giá cả thị trường"),
  politics: () => OFF_TOPIC("chính trị"),
};

/** Said when nothing in the knowledge answers the question well enough. */
export function handoffReply(): string {
  return `Xin lỗi bà con, hiện tôi chưa có thông tin để trả lời câu hỏi này trong tài liệu của xã.\n\nTôi có thể giúp bà con về:\n${menuText()}\n\nBà con cũng có thể hỏi trực tiếp cán bộ Ủy ban nhân dân xã.`;
}
