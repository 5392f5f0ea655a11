/**
 * What every messaging channel offers in its menu: the example skills questions and the plan
 * question (answered by the engine like typed text). Channels render them as buttons (Telegram)
 * or numbered choices (Zalo).
 */

/** Example questions offered under "Kỹ năng số"; each is answered by the engine like typed text. */
export const SKILL_QUESTIONS = [
  "Làm sao nhận biết cuộc gọi lừa đảo giả danh công an?",
  "Bị lừa đảo qua mạng thì báo ở đâu?",
  "Đăng ký tài khoản VNeID mức 2 ở đâu?",
  "Thanh toán bằng mã QR cần kiểm tra gì?",
  "Nộp hồ sơ dịch vụ công trực tuyến thế nào?",
  "Làm sao bảo vệ thông tin cá nhân trên mạng?",
] as const;

/** The question behind "Kế hoạch hạ tầng số của xã". */
export const PLAN_QUESTION = "Kế hoạch phát triển hạ tầng số của xã đặt những mục tiêu gì?";

/** One line on what the assistant covers, for welcome and help texts. */
export const TOPICS_LINE =
  "Trợ lý số xã trả lời về: kỹ năng số, hỗ trợ điện thoại thông minh cho hộ nghèo và cận nghèo, tắt sóng 2G, kế hoạch hạ tầng số của xã.";

/** Said when staff answer a queued question (every channel uses the same wording). */
export const STAFF_QUEUED =
  "Câu hỏi này đã được chuyển cho cán bộ xã. Khi cán bộ trả lời, trợ lý sẽ gửi lại cho bà con tại đây.";
