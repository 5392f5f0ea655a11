import { describe, expect, it } from "vitest";
import { escapeHtml, renderAnswer, renderSources, splitMessage, TELEGRAM_TEXT_LIMIT } from "../../src/channels/telegram/format.js";
import { keyboardOf, renderReply } from "../../src/channels/telegram/render.js";
import type { Reply } from "../../src/core/dialogue/index.js";

describe("Telegram HTML", () => {
  it("should escape every character Telegram's HTML mode treats specially", () => {
    expect(escapeHtml(`<b>"x" & 'y'</b>`)).toBe("&lt;b&gt;&quot;x&quot; &amp; 'y'&lt;/b&gt;");
  });

  it("should link only http(s) sources and escape titles and URLs", () => {
    const html = renderSources([
      { id: "a", title: "Thông tư <14>", section: "Điều 5 & 6", url: "https://example.vn/a?x=1&y=2" },
      { id: "b", title: "Tài liệu", section: "", url: "javascript:alert(1)" },
    ]);
    expect(html).toBe('<b>Nguồn:</b>\n[1] <a href="https://example.vn/a?x=1&amp;y=2">Thông tư &lt;14&gt; › Điều 5 &amp; 6</a>\n[2] Tài liệu');
  });
});

describe("splitting at the 4,096-character limit", () => {
  const sentence = (i: number) => `Câu số ${i} nói về việc bà con cần mang giấy chứng nhận hộ nghèo đến Ủy ban nhân dân xã.`;
  const long = Array.from({ length: 90 }, (_, i) => sentence(i + 1)).join(" ");

  it("should cut on sentence ends, keep every word, and stay within the limit", () => {
    const pieces = splitMessage(long);
    expect(pieces.length).toBe(2);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(pieces[0]?.endsWith(".")).toBe(true);
    expect(pieces.join(" ")).toBe(long);
  });

  it("should prefer paragraph breaks and never cut an HTML entity", () => {
    const text = `${"a".repeat(3000)}\n\n${"b".repeat(3000)}`;
    expect(splitMessage(text)).toEqual(["a".repeat(3000), "b".repeat(3000)]);
    const entities = escapeHtml("<>&".repeat(2000));
    for (const p of splitMessage(entities)) {
      expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(p).toMatch(/^(&lt;|&gt;|&amp;)+$/);
    }
  });

  it("should count NFC characters, so decomposed Vietnamese does not overflow", () => {
    const nfd = "Hỗ trợ điện thoại thông minh. ".repeat(200).normalize("NFD");
    for (const p of splitMessage(nfd)) expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  });

  it("should put the sources with the last piece when they fit", () => {
    const pieces = renderAnswer(long, [{ id: "a", title: "Thông tư 14/2022", section: "Điều 5", url: null }]);
    expect(pieces.at(-1)).toMatch(/\n\n<b>Nguồn:<\/b>\n\[1\] Thông tư 14\/2022 › Điều 5$/);
    expect(renderAnswer("Ngắn.", [])).toEqual(["Ngắn."]);
  });
});

describe("the dialogue's replies as Telegram messages", () => {
  const reply: Reply = {
    text: "Chào bà con! <b>không</b> phải thẻ & \"dấu\".",
    bold: ["Chào bà con!"],
    sources: [{ id: "a", title: "Thông tư 14/2022", section: "Điều 5", url: null }],
    note: "Câu hỏi đã được chuyển.",
    footer: "Gõ /menu để chọn chủ đề.",
    choices: [
      { id: "fb:up:1", label: "👍" },
      { id: "fb:down:1", label: "👎", sameRow: true },
      { id: "staff:1", label: "Hỏi cán bộ xã" },
      { id: "sug:0", label: `Câu hỏi rất dài ${"x".repeat(80)}` },
    ],
  };

  it("should escape the text, bold what the dialogue emphasises, and put sources, note and footer last", () => {
    expect(renderReply(reply)).toEqual([
      "<b>Chào bà con!</b> &lt;b&gt;không&lt;/b&gt; phải thẻ &amp; &quot;dấu&quot;.\n\n<b>Nguồn:</b>\n[1] Thông tư 14/2022 › Điều 5\n\n<i>Câu hỏi đã được chuyển.</i>\n\nGõ /menu để chọn chủ đề.",
    ]);
    const NFD = renderReply({ text: "Chào bà con! Hỏi gì cũng được.".normalize("NFD"), bold: ["Chào bà con!".normalize("NFD")] });
    expect(NFD[0]?.startsWith("<b>")).toBe(true);
  });

  it("should render choices as buttons whose callback data is the choice id, rows as laid out, long labels shortened", () => {
    const rows = (keyboardOf(reply)?.inline_keyboard ?? []) as Array<Array<{ text: string; callback_data: string }>>;
    expect(rows.map((row) => row.map((b) => b.callback_data))).toEqual([["fb:up:1", "fb:down:1"], ["staff:1"], ["sug:0"]]);
    expect(rows[2]?.[0]?.text.length).toBe(60);
    expect(rows[2]?.[0]?.text.endsWith("…")).toBe(true);
    expect(keyboardOf({ text: "Không có lựa chọn." })).toBeNull();
  });
});
