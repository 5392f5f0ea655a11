/** Vietnamese wording of the officials' console, in one place. */
import type { AnswerKindStored, Channel, QueueReason, QueueStatus } from "../../../core/store.js";

export const APP_NAME = "Trợ lý số xã";
export const CONSOLE_NAME = "Bảng điều khiển cán bộ xã";

export const KIND_LABELS: Readonly<Record<AnswerKindStored, string>> = {
  faq: "Hỏi đáp soạn sẵn",
  extractive: "Trích từ tài liệu",
  generative: "Mô hình ngôn ngữ soạn",
  refusal: "Từ chối",
  handoff: "Chuyển cán bộ xã",
  smalltalk: "Chào hỏi",
  clarify: "Hỏi lại (gợi ý câu hỏi)",
  flow: "Hỏi từng bước",
  staff: "Cán bộ trả lời",
};

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = { telegram: "Telegram", zalo: "Zalo", web: "Trang web" };
export const STATUS_LABELS: Readonly<Record<QueueStatus, string>> = { open: "Đang chờ", answered: "Đã trả lời", closed: "Đã đóng" };
export const REASON_LABELS: Readonly<Record<QueueReason, string>> = {
  unanswered: "Trợ lý chưa trả lời được",
  requested: "Người dân nhờ cán bộ xã",
};

export const PHASE_LABELS: Readonly<Record<string, string>> = {
  parse: "Đọc và kiểm tra tài liệu",
  embed: "Tạo vectơ cho các đoạn",
  save: "Lưu chỉ mục",
  load: "Nạp chỉ mục đã lưu",
};

/** Error codes of the console (HTTP API), with the message shown to staff. */
export const CONSOLE_ERRORS = {
  UNAUTHENTICATED: "Anh/chị cần đăng nhập bảng điều khiển.",
  CSRF_INVALID: "Biểu mẫu đã hết hạn hoặc không hợp lệ. Anh/chị tải lại trang rồi thử lại.",
  RATE_LIMITED: "Đăng nhập quá nhiều lần.",
  CONSOLE_DISABLED: "Bảng điều khiển chưa được bật.",
  INVALID_INPUT: "Thông tin gửi lên chưa đúng.",
  NOT_FOUND: "Không tìm thấy trang hoặc mục này.",
  QUEUE_ITEM_CLOSED: "Câu hỏi này đã được trả lời hoặc đã đóng.",
  BROADCAST_FAILED: "Chưa soạn được bản tin.",
  FAQ_QUESTION_MISSING: "Chưa lưu, chưa gửi: anh/chị cần tự viết câu hỏi chung cho mục hỏi đáp của xã.",
  FAQ_QUESTION_UNCHANGED: "Chưa lưu, chưa gửi: câu hỏi ghi vào hỏi đáp vẫn là nguyên văn câu của người dân. Anh/chị viết lại thành câu hỏi chung cho mọi người.",
  FAQ_QUESTION_PERSONAL: "Chưa lưu, chưa gửi: câu hỏi ghi vào hỏi đáp còn tên người, số nhà, thôn xóm hoặc số điện thoại, số giấy tờ. Mục hỏi đáp là công khai; anh/chị bỏ các chi tiết đó rồi gửi lại.",
  FAQ_ANSWER_PERSONAL: "Chưa lưu, chưa gửi: câu trả lời nhắc tên hoặc số nhà của người hỏi nên không lưu công khai được. Anh/chị bỏ chi tiết đó, hoặc bỏ chọn «Lưu thành mục hỏi đáp» để chỉ gửi cho người dân.",
  INTERNAL: "Đã có lỗi xảy ra. Anh/chị thử lại sau.",
} as const;
export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

export const SIGN_IN = {
  wrong: "Tên đăng nhập hoặc mật khẩu không đúng.",
  disabled: "Tài khoản này đã bị khóa. Anh/chị liên hệ người quản trị của xã.",
  expired: "Phiên đăng nhập đã hết hoặc tài khoản đã bị khóa. Anh/chị vui lòng đăng nhập lại.",
  signedOut: "Anh/chị đã đăng xuất.",
  tooMany: (minutes: number) =>
    `Đăng nhập sai hoặc thử quá nhiều lần. Để bảo vệ tài khoản, anh/chị vui lòng đợi khoảng ${minutes} phút rồi thử lại.`,
};

/** Formats seconds as "3 phút 05 giây". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (m === 0) return `${s} giây`;
  return s === 0 ? `${m} phút` : `${m} phút ${String(s).padStart(2, "0")} giây`;
}

/** "2026-11-21T03:04:05.000Z" → "21/11/2026 10:04" (Vietnam time, UTC+7). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + 7 * 60 * 60 * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "2026-11-21" → "21/11/2026". */
export function formatDay(day: string | null | undefined): string {
  if (!day) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

/** 0.8765 → "88%". */
export function formatPercent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** 12345 → "12.345" (Vietnamese digit grouping). */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat("vi-VN").format(value);
}
