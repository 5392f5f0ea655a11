import { describe, expect, it } from "vitest";
import { splitSentences } from "../../../src/core/text/sentences.js";

describe("splitSentences", () => {
  it.each([
    { label: "two sentences", text: "Câu một. Câu hai.", expected: ["Câu một.", "Câu hai."] },
    {
      label: "a date 10/11",
      text: "Trước ngày 10/11 hàng năm.",
      expected: ["Trước ngày 10/11 hàng năm."],
    },
    {
      label: "an amount 500.000",
      text: "Mức hỗ trợ là 500.000 đồng mỗi máy.",
      expected: ["Mức hỗ trợ là 500.000 đồng mỗi máy."],
    },
    {
      label: "an amount followed by a sentence",
      text: "Hỗ trợ 500.000 đồng. Hộ nghèo được ưu tiên.",
      expected: ["Hỗ trợ 500.000 đồng.", "Hộ nghèo được ưu tiên."],
    },
    {
      label: "line breaks",
      text: "Dòng một\nDòng hai\n\n  Dòng ba  ",
      expected: ["Dòng một", "Dòng hai", "Dòng ba"],
    },
    {
      label: "a './.' ending",
      text: "Kế hoạch có hiệu lực từ ngày ký./.",
      expected: ["Kế hoạch có hiệu lực từ ngày ký./."],
    },
    {
      label: "a './.' ending after a sentence",
      text: "Giao UBND xã thực hiện. Kế hoạch có hiệu lực từ ngày ký./.",
      expected: ["Giao UBND xã thực hiện.", "Kế hoạch có hiệu lực từ ngày ký./."],
    },
    {
      label: "a question and an exclamation",
      text: "Gọi số nào? Gọi 115! Số 113 là công an.",
      expected: ["Gọi số nào?", "Gọi 115!", "Số 113 là công an."],
    },
    {
      label: "a lower-case word after a period",
      text: "Xem tại dichvucong.gov.vn. sau đó nộp hồ sơ.",
      expected: ["Xem tại dichvucong.gov.vn. sau đó nộp hồ sơ."],
    },
    { label: "empty text", text: "  \n\n ", expected: [] },
  ])("should handle $label", ({ text, expected }) => {
    expect(splitSentences(text)).toEqual(expected);
  });
});

describe("splitSentences keeps markers and abbreviations with their sentence", () => {
  it("should not split a numbered step's marker from its text", () => {
    expect(splitSentences("3. Mở ứng dụng i-Speed. Bấm nút Đo.")).toEqual(["3. Mở ứng dụng i-Speed.", "Bấm nút Đo."]);
  });

  it("should not split after TP.", () => {
    expect(splitSentences("Sở Thông tin và Truyền thông TP. Hồ Chí Minh hỗ trợ.")).toEqual(["Sở Thông tin và Truyền thông TP. Hồ Chí Minh hỗ trợ."]);
  });
});
