/**
 * The topic of a question, for statistics: the folder of the knowledge documents it cited
 * (plans/, vtci/, 2g/, ky-nang-so/, boi-canh/). FAQ files live in faq/ but each answers
 * questions of one of those topics, which their front-matter topics tell.
 */
import type { KnowledgeDoc } from "../../../core/knowledge/parse.js";

export const TOPICS = {
  plans: "Kế hoạch hạ tầng số của xã",
  vtci: "Viễn thông công ích, hỗ trợ điện thoại",
  "2g": "Tắt sóng 2G",
  "ky-nang-so": "Kỹ năng số, lừa đảo trực tuyến",
  "boi-canh": "Bộ máy, sắp xếp đơn vị hành chính 2025",
  faq: "Hỏi đáp khác",
  other: "Khác",
} as const;
export type TopicId = keyof typeof TOPICS;

/** What each folder of knowledge/ holds. */
export const FOLDER_LABELS: Readonly<Record<string, string>> = {
  plans: "Kế hoạch hạ tầng số của hai xã",
  vtci: "Viễn thông công ích, hỗ trợ điện thoại (Thông tư 14/2022)",
  "2g": "Tắt sóng 2G",
  "ky-nang-so": "Kỹ năng số",
  "boi-canh": "Bối cảnh: bộ máy và sắp xếp đơn vị hành chính 2025",
  faq: "Hỏi đáp soạn sẵn",
};

/** FAQ front-matter topics that point to a folder, checked in this order. */
const FAQ_HINTS: ReadonlyArray<readonly [string, TopicId]> = [
  ["tat-song-2g", "2g"],
  ["vtci", "vtci"],
  ["vien-thong-cong-ich", "vtci"],
  ["ke-hoach", "plans"],
  ["ky-nang-so", "ky-nang-so"],
  ["lua-dao-truc-tuyen", "ky-nang-so"],
  ["bo-may-2025", "boi-canh"],
  ["sap-nhap", "boi-canh"],
];

/** The topic of one knowledge document. */
export function topicOfDoc(doc: Pick<KnowledgeDoc, "path" | "meta">): TopicId {
  const folder = doc.path.split(/[\\/]/)[0] ?? "";
  if (folder === "faq") {
    for (const [hint, topic] of FAQ_HINTS) if (doc.meta.topics.includes(hint)) return topic;
    return "faq";
  }
  return folder in TOPICS ? (folder as TopicId) : "other";
}

/**
 * Questions per topic from per-document counts. A question that cited two documents of the
 * same topic counts twice: the store counts per document, which is what it can group cheaply.
 */
export function questionsByTopic(
  bySource: ReadonlyArray<{ docId: string; questions: number }>,
  docs: ReadonlyArray<Pick<KnowledgeDoc, "path" | "meta">>,
): Array<{ topic: TopicId; label: string; questions: number }> {
  const byId = new Map(docs.map((d) => [d.meta.id, d]));
  const totals = new Map<TopicId, number>();
  for (const { docId, questions } of bySource) {
    const doc = byId.get(docId);
    const topic: TopicId = doc ? topicOfDoc(doc) : "other";
    totals.set(topic, (totals.get(topic) ?? 0) + questions);
  }
  return [...totals]
    .map(([topic, questions]) => ({ topic, label: TOPICS[topic], questions }))
    .sort((a, b) => b.questions - a.questions || a.label.localeCompare(b.label, "vi"));
}
