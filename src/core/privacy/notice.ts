/**
 * The privacy notice every channel shows before storing anything that identifies a resident, and
 * the wording of the consent choice. Explicit consent, nothing pre-selected (Luật Bảo vệ dữ liệu
 * cá nhân số 91/2025/QH15; Nghị định 356/2025/NĐ-CP). Bump NOTICE_VERSION (privacy/version.ts) when the text changes
 * in substance: consents record the version the resident saw.
 */
import type { MyData } from "../my-data.js";

export { NOTICE_VERSION } from "./version.js";

export interface NoticeOptions {
  /** Days after which question text is deleted (RETENTION_DAYS). */
  readonly retentionDays: number;
  /** Who runs the assistant and answers for the data (CONTROLLER_NAME). */
  readonly controller: string;
  /** How the resident deletes their data on this channel ("gõ /xoadulieu", "gõ XOA DU LIEU"). */
  readonly deleteHow: string;
  /** How the resident sees what is stored about them on this channel ("gõ /xemdulieu"). */
  readonly viewHow?: string;
}

export const CONSENT_LABELS = { agree: "Đồng ý lưu câu hỏi", decline: "Không đồng ý" } as const;

/** The notice as plain text (channels format it). */
export function privacyNotice(o: NoticeOptions): string {
  return [
    "Thông báo về dữ liệu cá nhân",
    `• Nếu bà con đồng ý, trợ lý lưu câu hỏi bà con gửi (số điện thoại, số căn cước, số tài khoản trong câu hỏi được che đi trước khi lưu), để cán bộ xã xem câu nào trợ lý chưa trả lời được và trả lời giúp bà con.`,
    "• Dù đồng ý hay không, trợ lý chỉ ghi loại câu trả lời, nguồn đã dẫn và thời gian trả lời (không có nội dung câu hỏi), để theo dõi chất lượng; đánh giá 👍/👎 của bà con cũng được ghi.",
    "• Trợ lý không ghi tên, số điện thoại hay mã tài khoản nhắn tin của bà con: mỗi người được nhận diện bằng một mã ẩn danh.",
    `• Nội dung câu hỏi được xóa sau ${o.retentionDays} ngày.`,
    `• Đơn vị chịu trách nhiệm: ${o.controller}.`,
    ...(o.viewHow ? [`• Bà con xem được trợ lý đang lưu gì về mình: ${o.viewHow}.`] : []),
    `• Bà con có thể không đồng ý mà vẫn được trả lời; có thể đổi ý bất cứ lúc nào, và xóa toàn bộ dữ liệu của mình: ${o.deleteHow}.`,
    "Căn cứ: Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định 356/2025/NĐ-CP.",
  ].join("\n");
}

/** Vietnam time (UTC+7, no daylight saving) of an ISO timestamp, "dd/mm/yyyy hh:mm". */
export function vietnamTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 7 * 60 * 60 * 1000).toISOString();
  return `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11, 16)}`;
}

/** At most `max` characters of a stored text, on one line. */
function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

export interface MyDataTextOptions {
  readonly retentionDays: number;
  /** How to delete everything on this channel ("gõ /xoadulieu"). */
  readonly deleteHow: string;
  /** The channel's name for its user accounts ("Telegram", "Zalo"). */
  readonly channelName: string;
}

const QUEUE_STATUS: Readonly<Record<MyData["queue"]["recent"][number]["status"], string>> = {
  open: "đang chờ cán bộ trả lời",
  answered: "cán bộ đã trả lời",
  closed: "cán bộ đã đóng, không trả lời qua trợ lý",
};

/**
 * What is stored about a resident, as plain text (channels escape and split it): consent,
 * commune, messages and their stored (masked) questions, feedback, questions sent to staff, and
 * what is not kept. Long stored texts are clipped; lists hold the most recent entries.
 */
export function myDataText(d: MyData, o: MyDataTextOptions): string {
  const anon = `Trợ lý không lưu tên, số điện thoại hay mã tài khoản ${o.channelName} của bà con: bà con được nhận diện bằng một mã ẩn danh.`;
  if (!d.known) return ["Dữ liệu trợ lý đang lưu về bà con", "Trợ lý chưa lưu gì về bà con.", anon].join("\n\n");
  const lines: string[] = ["Dữ liệu trợ lý đang lưu về bà con", ""];
  if (d.since) lines.push(`• Lần đầu nhắn cho trợ lý: ${vietnamTime(d.since)}.`);
  lines.push(
    d.consent === null
      ? "• Lưu câu hỏi: bà con chưa chọn (trợ lý không lưu nội dung câu hỏi)."
      : `• Lưu câu hỏi: bà con đã ${d.consent.granted ? "đồng ý" : "không đồng ý"} lúc ${vietnamTime(d.consent.at)} (thông báo phiên bản ${d.consent.noticeVersion}; đã chọn ${d.consentChoices} lần).`,
  );
  lines.push(`• Xã đã chọn: ${d.commune ? d.commune.name : "chưa chọn (trợ lý dùng xã mặc định)"}.`);
  lines.push(
    `• Tin nhắn: trợ lý đã ghi lại ${d.messages.total} câu hỏi (loại câu trả lời, nguồn, thời gian trả lời); ${d.messages.withText} câu có lưu nội dung (số điện thoại, số giấy tờ, số tài khoản đã được che).`,
  );
  if (d.messages.recent.length) {
    lines.push("", `Nội dung câu hỏi đã lưu (mới nhất trước${d.messages.withText > d.messages.recent.length ? `, ${d.messages.recent.length} câu gần nhất` : ""}):`);
    for (const m of d.messages.recent) lines.push(`- ${vietnamTime(m.at)}: «${clip(m.question, 300)}»`);
  }
  lines.push("", `• Đánh giá: ${d.feedback.up} 👍, ${d.feedback.down} 👎.`);
  for (const f of d.feedback.reasons) lines.push(`- Lý do ${vietnamTime(f.at)}: «${clip(f.reason, 300)}»`);
  if (d.queue.total === 0) lines.push("• Câu hỏi gửi cán bộ xã: không có.");
  else {
    lines.push(`• Câu hỏi gửi cán bộ xã (${d.queue.total}${d.queue.total > d.queue.recent.length ? `, ${d.queue.recent.length} câu gần nhất` : ""}):`);
    for (const q of d.queue.recent) {
      let line = `- ${vietnamTime(q.at)}: «${clip(q.question, 300)}» — ${QUEUE_STATUS[q.status]}`;
      if (q.status === "answered" && q.answer !== null) {
        line += `${q.answeredAt ? ` lúc ${vietnamTime(q.answeredAt)}` : ""}${q.delivered === false ? " (chưa gửi được tới bà con)" : ""}: «${clip(q.answer, 600)}»`;
      }
      lines.push(line);
    }
  }
  if (d.flowInProgress) lines.push("• Phần hỏi từng bước đang làm dở: chỉ lưu các lựa chọn bà con đã chọn.");
  lines.push("", anon);
  if (d.chatIdKept) lines.push(`Mã trò chuyện ${o.channelName} chỉ được giữ tạm để gửi câu trả lời của cán bộ xã, và bị xóa ngay khi đã gửi.`);
  lines.push(`Nội dung câu hỏi được xóa sau ${o.retentionDays} ngày. Muốn xóa toàn bộ dữ liệu của mình, bà con ${o.deleteHow}.`);
  return lines.join("\n");
}
