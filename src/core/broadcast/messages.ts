/**
 * The fixed Vietnamese wording of a broadcast script (opening, closing, connecting phrases) and
 * of the broadcaster's refusals. None of it states a fact: facts come from the knowledge.
 */

/** The usual opening of the commune radio; `former` is the commune's pre-2025 name when it changed. */
export function openingText(p: { name: string; former: string | null; audience: string | null; subject: string; short: boolean }): string {
  const whom = [`bà con nhân dân xã ${p.name}`, p.former ? `trong đó có bà con xã ${p.former} cũ` : null, p.audience ? `đặc biệt là ${p.audience}` : null]
    .filter(Boolean)
    .join(", ");
  const greeting = `Kính thưa ${whom}!`;
  if (p.short) return greeting;
  return `${greeting} Sau đây, Đài truyền thanh xã ${p.name} xin thông tin tới bà con về ${lowerFirst(p.subject)}.`;
}

/** The usual closing; the short form for one-minute scripts. */
export function closingText(p: { name: string; short: boolean }): string {
  return p.short
    ? "Xin cảm ơn bà con đã chú ý lắng nghe."
    : `Bản tin đến đây là hết. Đài truyền thanh xã ${p.name} xin cảm ơn bà con đã chú ý lắng nghe.`;
}

/** Leads the document notices, read before the facts they qualify. */
export const NOTICE_LEAD = "Trước hết, xin bà con lưu ý:";
/** Leads the call to action. */
export const CALL_TO_ACTION_LEAD = "Bà con cần làm gì?";
/** Said when the knowledge names no action for the topic (the product's rule: tell whom to ask). */
export const CALL_TO_ACTION_FALLBACK = "Bà con cần biết thêm, xin hỏi trực tiếp Ủy ban nhân dân xã.";

/** Said instead of a script when the knowledge does not cover the topic; names the topics it covers. */
export function notCoveredMessage(topic: string, examples: readonly string[]): string {
  return `Trợ lý chưa có tài liệu về chủ đề «${topic}», nên không soạn bản tin để tránh đọc sai thông tin cho bà con. Các chủ đề có tài liệu, ví dụ: ${examples.join("; ")}.`;
}

/** Said for an invalid request, by the field at fault. */
export const INVALID_REQUEST_MESSAGES = {
  topic: "Chủ đề bản tin cần dài từ 2 đến 200 ký tự.",
  minutes: "Thời lượng bản tin cần từ 1 đến 15 phút.",
  commune: "Tên xã không đúng; hãy dùng mã xã trong knowledge/communes.yaml (ví dụ cong-hoa, phu-tan).",
  audience: "Đối tượng nghe cần ngắn hơn 100 ký tự.",
  other: "Yêu cầu soạn bản tin không hợp lệ.",
} as const;

function lowerFirst(text: string): string {
  const [first = "", second = ""] = [...text];
  return second && second === second.toLowerCase() ? first.toLowerCase() + text.slice(first.length) : text;
}

/** "2 phút 30 giây". */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m} phút${s ? ` ${s} giây` : ""}` : `${s} giây`;
}

/** The staff note on the script's length and the reading rate it assumes. */
export function durationNote(p: { estimatedSeconds: number; targetSeconds: number; wordCount: number; wordsPerMinute: number }): string {
  return `Thời lượng ước tính ${formatDuration(p.estimatedSeconds)} (yêu cầu ${formatDuration(p.targetSeconds)}): ${p.wordCount} tiếng, đọc ${p.wordsPerMinute} tiếng/phút. Tốc độ đọc là giá trị ước lượng; bấm giờ một lần đọc thử rồi chỉnh BROADCAST_WORDS_PER_MINUTE.`;
}

/** The staff note when the knowledge on the topic is shorter than the requested length. */
export function shortMaterialNote(estimatedSeconds: number): string {
  return `${SHORT_MATERIAL_LEAD} ${formatDuration(estimatedSeconds)}; có thể đọc chậm hơn hoặc chọn thời lượng ngắn hơn.`;
}
export const SHORT_MATERIAL_LEAD = "Tài liệu về chủ đề này chỉ đủ cho khoảng";

/** The staff note on a script whose body a language model wrote. */
export const MODEL_DRAFT_NOTE =
  "Phần thân bản tin do mô hình ngôn ngữ viết lại từ các nguồn bên dưới; mọi con số, ngày tháng, số điện thoại, địa chỉ web đã được đối chiếu tự động với nguồn. Vẫn cần đọc lại trước khi phát.";

/** The staff note when the language model was not used for this script (reason code in English). */
export function modelFallbackNote(reason: string): string {
  return `Bản tin này soạn theo mẫu, không dùng mô hình ngôn ngữ (lý do: ${reason}).`;
}

/** Told to the model (prompts/retry.md) when its body is far from the requested length. */
export function lengthForModel(words: number, wanted: number): string {
  return `phần thân dài ${words} tiếng, cần khoảng ${wanted} tiếng`;
}
