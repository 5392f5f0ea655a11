/**
 * The rules the default answerer decides with (answer-question.ts): whether a quoted sentence can
 * answer the kind of question asked, which helper a hand-off points to, whether a question touches
 * the assistant's field at all.
 */
import type { Commune } from "../knowledge/communes.js";
import type { CuratedCandidate } from "../retrieval/curated.js";
import type { RetrievalHit } from "../retrieval/hybrid.js";
import type { Analysis } from "../text/analyze.js";
import { toWords, wordMatches, type Word } from "../text/normalize.js";
import type { QuestionType } from "../understanding/question-type.js";
import type { Understanding } from "../understanding/understand.js";
import type { HandoffTopic } from "./replies.js";

export function hitDiagnostics(hits: readonly RetrievalHit[]) {
  return hits.map((h) => ({
    chunkId: h.chunk.id,
    relevance: round(h.relevance),
    coverage: round(h.coverage),
    phraseCoverage: round(h.phraseCoverage),
    bm25Rank: h.bm25Rank,
    vectorRank: h.vectorRank,
    distance: round(h.distance),
  }));
}

const DATE = /\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b(?:19|20)\d{2}\b|\btháng\s+\d{1,2}\b/i;
/** A figure that is not only a date or a network name (2G/4G). */
const FIGURE = /\d/;
const PLACE = /\b(?:tại|ở|đến|nộp|cửa hàng|trụ sở|bộ phận|ủy ban|uỷ ban|UBND|công an|bưu điện|ngân hàng|trang|cổng|ứng dụng|\.gov\.vn|https?:)/iu;
const WHO = /\b(?:ủy ban|uỷ ban|UBND|công an|bộ|sở|cục|công chức|cán bộ|ban chỉ đạo|doanh nghiệp|nhà mạng|hộ|người|đài|tổ)\b/iu;

/** True when `sentence` can answer a question of `type` (a date for "when", a figure for "how much"…). */
export function answersType(sentence: string, type: QuestionType): boolean {
  switch (type) {
    case "when":
      return DATE.test(sentence);
    case "howmuch":
      return FIGURE.test(sentence.replace(/\b[2-5]G\b/gi, ""));
    case "where":
      return PLACE.test(sentence);
    case "who":
      return WHO.test(sentence);
    case "what":
      return /\blà\b/iu.test(sentence);
    // A quoted sentence cannot say "Có."/"Không.": a yes/no question is answered by a curated entry or handed off.
    case "yesno":
      return false;
    default:
      return true;
  }
}

/** Two entries that give the same answer (the same text): no need to ask which one was meant. */
export function sameAnswer(a: CuratedCandidate, b: CuratedCandidate): boolean {
  return a.entry.chunk.faq?.answer === b.entry.chunk.faq?.answer;
}

export function mentionsCurrentUnit(text: string, commune: Commune): boolean {
  const current = commune.current_unit?.split(",")[0]?.trim();
  return current ? text.toLowerCase().includes(current.toLowerCase()) : true;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Words that point a hand-off to the right helper, written with their diacritics: a word typed
 * with marks must carry the same marks ("lúa" is not "lừa"); typed without, any spelling matches.
 */
const TOPIC_WORDS: ReadonlyArray<{ topic: HandoffTopic; words: readonly Word[][] }> = (
  [
    { topic: "scam", phrases: ["lừa", "giả danh", "giả mạo", "mạo danh", "otp", "hack", "scam", "fraud", "link lạ"] },
    { topic: "subsidy", phrases: ["hộ nghèo", "cận nghèo", "viễn thông công ích", "thông tư 14", "500000", "hỗ trợ điện thoại", "poor", "subsidy"] },
    { topic: "2g", phrases: ["2g", "volte", "3g", "4g", "sóng", "nhà mạng", "sim", "viettel", "vinaphone", "mobifone"] },
    { topic: "vneid", phrases: ["vneid", "định danh", "căn cước", "dịch vụ công", "khai sinh", "cư trú", "hộ tịch", "chứng minh nhân dân"] },
    { topic: "payments", phrases: ["qr", "chuyển khoản", "ngân hàng", "ví điện tử", "mobile money", "thẻ atm"] },
    { topic: "plan", phrases: ["kế hoạch", "hạ tầng", "cáp quang", "bts", "băng rộng"] },
    { topic: "context", phrases: ["sáp nhập", "huyện", "xã mới", "địa chỉ mới", "merger"] },
  ] as const
).map(({ topic, phrases }) => ({ topic, words: phrases.map((p) => toWords(p).map((w) => ({ ...w, exact: true }))) }));

/**
 * Words of the assistant's field, and of the commune's own affairs (which staff can answer when the
 * knowledge cannot): a question with none of them is off-topic.
 */
const FIELD_WORDS: readonly Word[][] = [
  "điện thoại", "máy", "sim", "sóng", "mạng", "internet", "wifi", "cáp quang", "2g", "3g", "4g", "5g", "volte", "nhà mạng", "viettel", "vinaphone", "mobifone", "vnpt",
  "zalo", "facebook", "tiktok", "ứng dụng", "app", "online", "trực tuyến", "link", "otp", "mật khẩu", "tài khoản", "ngân hàng", "chuyển khoản", "qr", "ví điện tử", "tiền",
  "lừa", "vneid", "căn cước", "định danh", "dịch vụ công", "thủ tục", "giấy tờ", "khai sinh", "hộ nghèo", "cận nghèo", "hỗ trợ", "ủy ban", "huyện", "tỉnh", "sáp nhập",
  "kế hoạch", "hạ tầng", "dữ liệu", "thông tin", "thôn", "xóm", "ấp", "nhà văn hóa", "cán bộ", "trưởng thôn", "email", "thư điện tử", "mua hàng", "shopee", "trợ lý", "cước", "thuê bao", "bts", "i-speed", "tin nhắn",
  "phone", "mobile", "network", "scam", "bank", "account", "password", "commune", "province", "district", "ministry", "support", "subsidy", "poor", "data", "payment", "pay", "card", "signal",
].map((p) => toWords(p).map((w) => ({ ...w, exact: true })));

/** True when the words of `seq` stand together, in order, in `routing`. */
function containsSequence(routing: readonly Word[], seq: readonly Word[]): boolean {
  outer: for (let i = 0; i + seq.length <= routing.length; i++) {
    for (let j = 0; j < seq.length; j++) if (!wordMatches(routing[i + j] as Word, seq[j] as Word)) continue outer;
    return true;
  }
  return false;
}

export function mentionsField(routing: readonly Word[]): boolean {
  return FIELD_WORDS.some((seq) => containsSequence(routing, seq));
}

export function handoffTopic(u: Understanding, routing: readonly Word[], candidates: readonly CuratedCandidate[]): HandoffTopic {
  if (u.entities.victim) return "scam";
  for (const { topic, words } of TOPIC_WORDS) if (words.some((seq) => containsSequence(routing, seq))) return topic;
  const doc = candidates[0]?.entry.chunk.docId ?? "";
  if (doc.includes("lua-dao")) return "scam";
  if (doc.includes("vien-thong")) return "subsidy";
  if (doc.includes("2g")) return "2g";
  if (doc.includes("ke-hoach")) return "plan";
  return "general";
}

/** "kế hoạch", "mục tiêu", "chỉ tiêu": the question is about a commune's plan. */
export function asksAboutPlan(analysis: Analysis): boolean {
  return ["ke_hoach", "muc_tieu", "chi_tieu"].some((b) => analysis.terms.includes(b));
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
