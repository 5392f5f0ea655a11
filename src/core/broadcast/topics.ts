/**
 * The broadcast topics radio staff ask for most, each with the knowledge it is read from, in the
 * order a listener needs it (current status first, then who is concerned, then what to do). A
 * topic outside this list is looked up through the engine's retrieval instead.
 */
import { fold, tokenize } from "../text/normalize.js";

/**
 * Where a topic's facts come from: a document id, or `$plan` / `$context` for the commune's own
 * plan and its "after the 2025 merger" context document; `sections` are heading-path prefixes
 * ("1." matches "1. Hộ nghèo…" and its sub-sections), empty for the whole document.
 */
export interface SourceSpec {
  readonly doc: string;
  readonly sections?: readonly string[];
  /** Heading-path prefixes never read on air from this document (old drafts, superseded rules). */
  readonly skip?: readonly string[];
}

/** A topic radio staff ask for often: its title, how it is typed, and where its facts are, in order. */
export interface TopicProfile {
  readonly id: string;
  /** Script title as written (numbers are spelled out when it is read). */
  readonly title: string;
  /** What the broadcast is about, as said in the opening ("… xin thông tin tới bà con về <subject>"). */
  readonly subject: string;
  /** Folded phrases ("tat song", "2g") that name the topic; the longest total match wins. */
  readonly keywords: readonly string[];
  readonly sources: readonly SourceSpec[];
  /** Knowledge sentences read before all others, even in the shortest script (today's status). */
  readonly lead?: RegExp;
}

/** The known topics (the six the commune radio asked for); others go through retrieval. */
export const TOPIC_PROFILES: readonly TopicProfile[] = [
  {
    id: "tat-song-2g",
    title: "Tắt sóng 2G: điện thoại của bà con còn dùng được không",
    subject: "việc tắt sóng 2G và những điều bà con cần làm với điện thoại của mình",
    keywords: ["2g", "tat song", "volte", "cuc gach", "2g only", "song 2g"],
    // Today (after 15/9/2026) the point is that the final shutdown date has passed.
    lead: /mốc tắt hẳn 2G theo lộ trình đã qua/u,
    sources: [
      { doc: "lo-trinh-tat-song-2g", sections: ["1.", "4."] },
      { doc: "dien-thoai-sau-khi-tat-2g", sections: ["1.", "3.", "4.", "2."] },
      { doc: "ho-tro-doi-may-2g-len-4g", sections: ["1.", "5.", "6."] },
      { doc: "lo-trinh-tat-song-2g", sections: ["3.", "2."] },
    ],
  },
  {
    id: "ho-tro-dien-thoai",
    title: "Hỗ trợ điện thoại thông minh cho hộ nghèo, hộ cận nghèo",
    subject: "việc hỗ trợ điện thoại thông minh cho hộ nghèo, hộ cận nghèo",
    keywords: ["dien thoai thong minh", "smartphone", "ho tro dien thoai", "ho tro dt", "dt thong minh", "ho ngheo", "ho can ngheo", "can ngheo", "500000", "500 nghin"],
    sources: [
      { doc: "tt14-2022-ho-tro-dien-thoai", sections: ["", "1.", "2.", "4.", "3.", "6.", "9.", "7.", "5."], skip: ["8."] },
      { doc: "vtci-sau-2025" },
    ],
  },
  {
    id: "lua-dao-truc-tuyen",
    title: "Cảnh giác với lừa đảo trực tuyến",
    subject: "các kiểu lừa đảo trực tuyến hay gặp và cách phòng tránh",
    keywords: ["lua dao", "scam", "gia danh", "chong lua dao", "bi lua"],
    sources: [
      { doc: "ky-nang-so-lua-dao-truc-tuyen" },
      { doc: "ky-nang-so-bao-cao-lua-dao", sections: ["8.", "2.", "1.", "5.", "4.", "3.", "6."] },
    ],
  },
  {
    id: "vneid-muc-2",
    title: "Tài khoản định danh điện tử VNeID mức 2",
    subject: "tài khoản định danh điện tử VNeID mức 2",
    keywords: ["vneid", "dinh danh", "muc 2", "can cuoc dien tu", "dinh danh dien tu"],
    sources: [{ doc: "ky-nang-so-vneid-dich-vu-cong", sections: ["", "1.", "2.", "3.", "6.", "5.", "8."] }],
  },
  {
    id: "dich-vu-cong-truc-tuyen",
    title: "Dịch vụ công trực tuyến: nộp hồ sơ trên mạng",
    subject: "cách nộp hồ sơ dịch vụ công trực tuyến",
    keywords: ["dich vu cong", "dvc", "nop ho so", "thu tuc hanh chinh", "cong dich vu cong", "ho so truc tuyen"],
    sources: [{ doc: "ky-nang-so-vneid-dich-vu-cong", sections: ["7.", "8.", "", "9.", "1.", "3."] }],
  },
  {
    id: "ke-hoach-ha-tang-so",
    title: "Kế hoạch phát triển hạ tầng số của xã đến năm 2025: các mục tiêu đã đặt ra",
    subject: "các mục tiêu mà kế hoạch phát triển hạ tầng số của xã đặt ra đến năm 2025",
    keywords: ["ke hoach", "muc tieu", "chi tieu", "ha tang so", "ke hoach xa"],
    sources: [
      { doc: "$plan", sections: ["II."] },
      { doc: "$context", sections: ["3."] },
      { doc: "$plan", sections: ["III.", "IV.", "V."] },
      { doc: "$context", sections: ["4.", "5."] },
    ],
  },
];

/** The profile a typed topic names (with or without diacritics), or null. */
export function matchTopic(topic: string): TopicProfile | null {
  const text = ` ${tokenize(fold(topic)).join(" ")} `;
  let best: { profile: TopicProfile; score: number } | null = null;
  for (const profile of TOPIC_PROFILES) {
    const score = profile.keywords.filter((k) => text.includes(` ${k} `)).reduce((sum, k) => sum + k.length, 0);
    if (score > 0 && (!best || score > best.score)) best = { profile, score };
  }
  return best?.profile ?? null;
}
