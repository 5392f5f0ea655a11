import { describe, expect, it } from "vitest";
import { EvalItemSchema, firstSentence, isOnPoint, scoreItem } from "../../src/cli/eval-score.js";

const item = (over: Record<string, unknown>) =>
  EvalItemSchema.parse({ id: "x1", topic: "2g", question: "may 2g con goi duoc khong", must_mention_any: ["16/10/2024"], must_not_mention: ["sắp tắt sóng"], answerable: true, expect: "answer", qtype: "yesno", ...over });
const answer = (text: string, kind = "faq") => ({ answer: text, kind, sources: [{ id: "lo-trinh-tat-song-2g" }] });

describe("scoring one evaluation item", () => {
  it("should accept a direct, complete answer", () => {
    expect(scoreItem(item({}), answer("Không. Máy chỉ có 2G bị khóa từ 16/10/2024."), "written").correct).toBe(true);
  });

  it("should compare expected phrases without case or diacritics", () => {
    const scored = scoreItem(item({ must_mention_any: ["Công an xã"] }), answer("Không. Báo ngay CONG AN XA."), "written");
    expect(scored.mentions).toBe(true);
  });

  it("should refuse an answer that misses the facts, states a stale claim, or is a hand-off", () => {
    expect(scoreItem(item({}), answer("Không. Hãy hỏi nhà mạng."), "written")).toMatchObject({ correct: false, mentions: false });
    expect(scoreItem(item({}), answer("Không. Từ 16/10/2024 bị khóa, sắp tắt sóng toàn bộ."), "written")).toMatchObject({ correct: false, forbidden: "sắp tắt sóng" });
    expect(scoreItem(item({}), answer("Không. 16/10/2024.", "handoff"), "written").correct).toBe(false);
    expect(scoreItem(item({}), answer("Có phải bà con muốn hỏi: 16/10/2024", "clarify"), "written").correct).toBe(false);
  });

  it("should require the yes/no or the date in the first sentence", () => {
    expect(scoreItem(item({}), answer("Theo tài liệu, máy 2G bị khóa từ 16/10/2024."), "written")).toMatchObject({ correct: false, onPoint: false });
    expect(isOnPoint("Chưa. Theo lộ trình…", "yesno")).toBe(true);
    expect(isOnPoint("Vẫn gọi được nếu máy có VoLTE.", "yesno")).toBe(true);
    expect(isOnPoint("No. The programme ended on 31/12/2025.", "yesno")).toBe(true);
    expect(isOnPoint("Từ 0 giờ ngày 16/10/2024, máy 2G bị khóa.", "when")).toBe(true);
    expect(isOnPoint("Máy 2G bị khóa hai chiều. Từ 16/10/2024.", "when")).toBe(false);
    expect(isOnPoint("Bất kỳ câu nào.", "how")).toBe(true);
  });

  it("should require an English reply to an English question", () => {
    const english = item({ question: "Can my old phone still call?", reply_lang: "en", lang: "en", must_mention_any: ["2G"] });
    expect(scoreItem(english, answer("Không. Máy 2G bị khóa."), "written")).toMatchObject({ correct: false, languageOk: false });
    expect(scoreItem(english, answer("No. Phones that only support 2G have been blocked since 16/10/2024."), "written").correct).toBe(true);
  });

  it("should score a decline only when it is a refusal that says where to go", () => {
    const decline = item({ expect: "decline", answerable: false, must_mention_any: ["UBND xã", "Ủy ban nhân dân xã"], must_not_mention: [] });
    expect(scoreItem(decline, answer("Xin lỗi… hỏi Ủy ban nhân dân xã.", "refusal"), "written").correct).toBe(true);
    expect(scoreItem(decline, answer("Xin lỗi… hỏi Ủy ban nhân dân xã.", "handoff"), "written").correct).toBe(false);
    expect(scoreItem(decline, answer("Xin lỗi, tôi không trả lời.", "refusal"), "written").correct).toBe(false);
  });

  it("should score small talk only as small talk", () => {
    const hello = item({ question: "xin chao", expect: "smalltalk", answerable: false, must_mention_any: [], must_not_mention: ["chưa có thông tin"] });
    expect(scoreItem(hello, answer("Chào bà con!", "smalltalk"), "written").correct).toBe(true);
    expect(scoreItem(hello, answer("Xin lỗi, chưa có thông tin.", "handoff"), "written").correct).toBe(false);
  });

  it("should leave English questions out of the diacritics split", () => {
    expect(scoreItem(item({ question: "Is my phone affected?", lang: "en" }), answer("No."), "written").noDiacritics).toBeNull();
    expect(scoreItem(item({}), answer("Không."), "written").noDiacritics).toBe(true);
  });

  it("should read the first sentence up to its end or the line break", () => {
    expect(firstSentence("Có. Còn nữa.")).toBe("Có.");
    expect(firstSentence("Có thể\nDòng hai")).toBe("Có thể");
    expect(firstSentence("Từ 16/10/2024 máy bị khóa. Sau đó…")).toBe("Từ 16/10/2024 máy bị khóa.");
  });
});
