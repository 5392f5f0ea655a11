import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { createAnalyzer } from "../../../src/core/text/analyze.js";
import { createLexicon } from "../../../src/core/text/lexicon.js";
import { fold } from "../../../src/core/text/normalize.js";
import { detectLanguage } from "../../../src/core/understanding/language.js";
import { detectQuestionType } from "../../../src/core/understanding/question-type.js";
import { understand } from "../../../src/core/understanding/understand.js";

const analyzer = createAnalyzer(createLexicon(parse(readFileSync(new URL("../../../knowledge/lexicon.yaml", import.meta.url), "utf8"))));

/** Each case as NFC, as NFD and typed without diacritics: every text rule must hold for all three. */
function forms(text: string) {
  return [
    { form: "NFC", input: text.normalize("NFC") },
    { form: "NFD", input: text.normalize("NFD") },
    { form: "no diacritics", input: fold(text) },
  ];
}
function table<T>(cases: ReadonlyArray<readonly [string, T]>) {
  return cases.flatMap(([text, expected]) => forms(text).map(({ form, input }) => ({ text, form, input, expected })));
}
const focusText = (text: string) => understand(text, analyzer).focus.map((w) => w.f).join(" ");

describe("the question type", () => {
  it.each(
    table([
      ["Tắt sóng 2G hoàn toàn khi nào vậy ad?", "when"],
      ["bao giờ thì hết hạn hỗ trợ", "when"],
      ["Hộ cận nghèo được hỗ trợ bao nhiêu tiền?", "howmuch"],
      ["Làm VNeID mức 2 ở đâu?", "where"],
      ["Tôi bị lừa mất 5 triệu qua Zalo rồi thì báo ai?", "who"],
      ["VoLTE là gì?", "what"],
      ["Vì sao phải tắt sóng 2G?", "why"],
      ["Đổi điện thoại mới thì đăng nhập VNeID thế nào?", "how"],
      ["điện thoại 4G không có VoLTE còn gọi được không", "yesno"],
      ["máy 2G còn dùng được không cháu", "yesno"],
      ["nhà tôi có phải hộ nghèo không ạ", "yesno"],
      ["chương trình đã kết thúc chưa", "yesno"],
    ] as const),
  )("$text ($form) → $expected", ({ input, expected }) => {
    const words = analyzer.routingTokens(input);
    expect(detectQuestionType(words, input.trim().endsWith("?"))).toBe(expected);
  });

  it("should read chat abbreviations: 'con goi dc ko' asks yes or no", () => {
    expect(detectQuestionType(analyzer.routingTokens("dt cua ba la loai cuc gach 2g thi bay gio con goi dc ko chau"))).toBe("yesno");
    expect(detectQuestionType(analyzer.routingTokens("lam vneid muc 2 o dau"))).toBe("where");
  });

  it("should take a statement ending with a question mark as yes or no", () => {
    expect(detectQuestionType(analyzer.routingTokens("máy 2G vẫn dùng được?"), true)).toBe("yesno");
    expect(detectQuestionType(analyzer.routingTokens("máy 2G vẫn dùng được"), false)).toBe("other");
  });
});

describe("the language of a question", () => {
  it.each([
    ["What are beneficiaries of universal telecommunications services in Vietnam?", "en"],
    ["My parents are a poor household. Can they still get a free smartphone?", "en"],
    ["is my old phone still working after the 2G shutdown", "en"],
    ["thanks", "en"],
    ["dien thoai cua toi co dung duoc khong", "vi"],
    ["can ngheo co dc ko", "vi"],
    ["do la gi", "vi"],
    ["Điện thoại của tôi có dùng được không?", "vi"],
    ["ban la ai", "vi"],
  ])("%s → %s", (text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });
});

describe("reading a message", () => {
  it.each(
    table([
      ["Chào ad, cho em hỏi VNeID mức 2 làm ở đâu ạ?", "vneid muc 2 lam o dau"],
      ["Tôi tên Tư, 70 tuổi, ở thôn 2, làm VNeID mức 2 ở đâu?", "lam vneid muc 2 o dau"],
      ["Dạ cho tôi hỏi điện thoại 2G còn gọi được không ạ", "dien thoai 2g con goi duoc khong"],
      ["Kính gửi UBND xã. Cử tri thôn 3 kiến nghị sớm hỗ trợ điện thoại cho hộ nghèo.", "som ho tro dien thoai cho ho ngheo"],
    ] as const),
  )("$text ($form): the question is «$expected»", ({ input, expected }) => {
    expect(focusText(input)).toBe(expected);
  });

  it("should keep a story as context and the question as focus", () => {
    const u = understand("Mẹ tôi 75 tuổi dùng cái điện thoại cục gạch. Bây giờ còn gọi được không?", analyzer);
    expect(u.qtype).toBe("yesno");
    expect(u.focus.map((w) => w.f).join(" ")).toContain("goi duoc khong");
    expect(u.context.map((w) => w.f).join(" ")).toContain("cuc gach");
    expect(u.entities.phone).toBe("2g_only");
  });

  it("should recognise a scam victim and the carriers named", () => {
    for (const { input } of forms("Tôi bị lừa mất 5 triệu qua Zalo rồi, sim Viettel")) {
      const u = understand(input, analyzer);
      expect(u.entities.victim).toBe(true);
      expect(u.entities.carriers).toEqual(["viettel"]);
    }
  });

  it("should not drop a question that mentions an age", () => {
    expect(focusText("người trên 60 tuổi có được hỗ trợ điện thoại không")).toContain("60 tuoi");
  });
});

describe("small talk", () => {
  it.each(
    table([
      ["xin chào", "greeting"],
      ["chào ad ạ", "greeting"],
      ["alo", "greeting"],
      ["cảm ơn bạn nhiều nhé", "thanks"],
      ["ok", "ack"],
      ["dạ vâng", "ack"],
      ["tạm biệt", "bye"],
      ["bạn là ai", "identity"],
      ["bạn làm được gì", "capabilities"],
      ["có ai ở đó không", "presence"],
      ["chào bạn, bạn là ai?", "identity"],
      ["hihi", "ack"],
      ["tạm biệt nhé, mai em hỏi tiếp", "bye"],
      ["bạn là ai vậy, người thật hay máy thế", "identity"],
      ["xin chào, chúc bot một ngày tốt lành", "greeting"],
    ] as const),
  )("$text ($form) → $expected", ({ input, expected }) => {
    expect(understand(input, analyzer).smallTalk).toBe(expected);
  });

  it("should not take a question that starts with a greeting for small talk", () => {
    expect(understand("xin chào, máy 2G còn dùng được không", analyzer).smallTalk).toBeNull();
    expect(understand("cảm ơn, còn VNeID mức 2 làm ở đâu", analyzer).smallTalk).toBeNull();
  });

  it("should take a thumbs-up alone as an acknowledgement", () => {
    expect(understand("👍", analyzer).smallTalk).toBe("ack");
    expect(understand("🙏", analyzer).smallTalk).toBe("thanks");
  });
});
