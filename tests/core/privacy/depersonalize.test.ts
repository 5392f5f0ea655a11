import { describe, expect, it } from "vitest";
import { checkPublicQuestion, depersonalize, findPersonalDetails, repeatsResidentDetails } from "../../../src/core/privacy/depersonalize.js";

/** Each case in NFC, NFD and, where given, typed without diacritics. */
const forms = (text: string) => [text, text.normalize("NFD")];

describe("depersonalize", () => {
  it.each([
    ["Nhà ông Nguyễn Văn Tám ở xóm 3 thôn Đông Hạ, số nhà 12: lớp học dùng điện thoại mở chưa?", "Nhà: lớp học dùng điện thoại mở chưa?"],
    ["nha ong Nguyen Van Tam o xom 3 thon Dong Ha, so nha 12: lop hoc dung dien thoai mo chua?", "Nha: lop hoc dung dien thoai mo chua?"],
    ["nhà ông nguyễn văn tám ở thôn 3 hỏi lớp học dùng điện thoại", "Nhà hỏi lớp học dùng điện thoại"],
    ["Tôi là Trần Thị Lan, sđt 0912 345 678, muốn hỏi VNeID mức 2 làm ở đâu?", "Muốn hỏi VNeID mức 2 làm ở đâu?"],
    ["cháu tên là Minh Anh, ở ấp Phú Hòa, hẻm 5, hỏi trạm BTS", "Cháu, hỏi trạm BTS"],
    ["Bà con ở tổ 7 hỏi cccd 001203004567 làm lại ở đâu", "Bà con hỏi làm lại ở đâu"],
  ])("should remove names, hamlets, house numbers and numbers from %j", (input, expected) => {
    for (const text of forms(input)) expect(depersonalize(text)).toBe(expected);
  });

  it.each([
    "Lịch sinh hoạt câu lạc bộ dưỡng sinh ở nhà văn hóa thôn là khi nào?",
    "Tổ Công nghệ số cộng đồng ở xã Cộng Hòa, huyện Vụ Bản làm gì?",
    "Cho em hỏi. Lớp học mở khi nào?",
    "Ông bà lớn tuổi học dùng Zalo ở đâu?",
    "Trưởng thôn có hướng dẫn cài VNeID không?",
  ])("should leave %j as it is", (input) => {
    for (const text of forms(input)) {
      expect(depersonalize(text)).toBe(input);
      expect(findPersonalDetails(text)).toEqual([]);
    }
  });
});

describe("checkPublicQuestion", () => {
  const resident = "Chị Hoa ở thôn Đông Hạ hỏi lớp học dùng điện thoại mở khi nào ạ?";
  it("should refuse the resident's words however written, and personal details", () => {
    for (const q of [...forms(resident), "chi Hoa o thon Dong Ha hoi lop hoc dung dien thoai mo khi nao a"]) expect(checkPublicQuestion(q, resident)).toMatch(/^(unchanged|personal)$/);
    expect(checkPublicQuestion("chi hoa o thon dong ha hoi lop hoc dung dien thoai mo khi nao a", resident)).toBe("unchanged");
    expect(checkPublicQuestion("  ", resident)).toBe("missing");
    expect(checkPublicQuestion("Lớp học của Hoa mở khi nào?", resident)).toBe("personal");
    expect(checkPublicQuestion("Gọi [số điện thoại đã ẩn] để hỏi lớp học?", resident)).toBe("personal");
  });

  it("should accept a question of the staff's own without anyone's details", () => {
    for (const q of forms("Lớp học dùng điện thoại cho người cao tuổi mở khi nào?")) expect(checkPublicQuestion(q, resident)).toBeNull();
    // "hoa" as a word is not the name Hoa.
    expect(checkPublicQuestion("Hoa quả có bán ở chợ xã không?", resident)).toBeNull();
  });

  it("should find the resident's name in an answer to publish", () => {
    expect(repeatsResidentDetails("Chào chị Hoa, lớp mở sáng chủ nhật.", resident)).toBe(true);
    expect(repeatsResidentDetails("Lớp mở sáng chủ nhật, bà con mang theo điện thoại.", resident)).toBe(false);
    expect(repeatsResidentDetails("Lớp ở số nhà 12 ạ", "nhà ông Nguyễn Văn Tám số nhà 12")).toBe(true);
    expect(repeatsResidentDetails("Chào bác Tám, lớp mở tám giờ.", "nhà ông Nguyễn Văn Tám")).toBe(true);
    expect(repeatsResidentDetails("Chào bác, lớp mở tám giờ.", "nhà ông Nguyễn Văn Tám")).toBe(false);
    expect(repeatsResidentDetails("chao bac nguyen van tam", "nhà ông Nguyễn Văn Tám")).toBe(true);
  });
});
