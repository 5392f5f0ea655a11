/**
 * The privacy notice every channel shows before storing anything that identifies a resident, and
 * the wording of the consent choice. Explicit consent, nothing pre-selected (Luật Bảo vệ dữ liệu
 * cá nhân số 91/2025/QH15; Nghị định 356/2025/NĐ-CP). Bump NOTICE_VERSION when the text changes
 * in substance: consents record the version the resident saw.
 */

export const NOTICE_VERSION = "2026-11-22";

export interface NoticeOptions {
  /** Days after which question text is deleted (RETENTION_DAYS). */
  readonly retentionDays: number;
  /** Who runs the assistant and answers for the data (CONTROLLER_NAME). */
  readonly controller: string;
  /** How the resident deletes their data on this channel ("gõ /xoadulieu", "gõ XOA DU LIEU"). */
  readonly deleteHow: string;
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
    `• Bà con có thể không đồng ý mà vẫn được trả lời; có thể đổi ý bất cứ lúc nào, và xóa toàn bộ dữ liệu của mình: ${o.deleteHow}.`,
    "Căn cứ: Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định 356/2025/NĐ-CP.",
  ].join("\n");
}
