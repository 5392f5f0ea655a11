/**
 * Every error code the service can report, with the Vietnamese message shown to users.
 * Tests assert codes; each wording is checked once.
 */
export const ERROR_CODES = {
  INVALID_BODY: "Yêu cầu không hợp lệ. Vui lòng gửi câu hỏi dạng JSON, ví dụ {\"question\": \"…\"}.",
  QUESTION_EMPTY: "Bà con chưa nhập câu hỏi. Vui lòng gõ câu hỏi rồi gửi lại.",
  QUESTION_TOO_LONG: "Câu hỏi dài quá 2.000 ký tự. Bà con vui lòng hỏi ngắn gọn hơn hoặc tách thành nhiều câu.",
  COMMUNE_UNKNOWN: "Tên xã không đúng. Hiện trợ lý hỗ trợ xã Cộng Hòa (cong-hoa) và xã Phú Tân (phu-tan).",
  PAYLOAD_TOO_LARGE: "Nội dung gửi lên quá lớn. Vui lòng hỏi ngắn gọn hơn.",
  UNSUPPORTED_MEDIA_TYPE: "Vui lòng gửi câu hỏi dạng JSON (Content-Type: application/json).",
  NOT_FOUND: "Không tìm thấy trang hoặc địa chỉ này.",
  INTERNAL: "Đã có lỗi xảy ra. Bà con vui lòng thử lại sau.",
  KNOWLEDGE_INVALID: "Tệp tri thức không đúng định dạng.",
  CONFIG_INVALID: "Cấu hình không hợp lệ.",
  INDEX_BUILD_FAILED: "Không lập được chỉ mục tri thức.",
  CONSENT_REQUIRED: "Để chuyển câu hỏi cho cán bộ xã, bà con cần đồng ý cho trợ lý lưu câu hỏi.",
  SIGNATURE_INVALID: "Chữ ký của sự kiện không hợp lệ.",
  TIMESTAMP_STALE: "Sự kiện quá cũ hoặc thời điểm không hợp lệ.",
  EVENT_INVALID: "Sự kiện gửi đến không đúng định dạng.",
  BUSY: "Hệ thống đang bận. Vui lòng gửi lại sau ít phút.",
  RATE_LIMITED: "Bà con gửi quá nhiều câu hỏi trong một phút. Vui lòng đợi một lát rồi hỏi lại.",
  STAFF_EXISTS: "Tên đăng nhập này đã có.",
  QUEUE_ITEM_UNKNOWN: "Không tìm thấy câu hỏi này trong hàng chờ.",
  DATABASE_LOST: "Tệp cơ sở dữ liệu bị mất hoặc rỗng trong khi trước đó đã có dữ liệu.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable English code; `message` is for logs, `userMessage` for people. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? code, options);
    this.name = "AppError";
    this.code = code;
  }

  /** The Vietnamese message for this code. */
  get userMessage(): string {
    return ERROR_CODES[this.code];
  }
}
