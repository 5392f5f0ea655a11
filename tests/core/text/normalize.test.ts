import { describe, expect, it } from "vitest";
import { bigrams, fold, hasNoDiacritics, toNfc, tokenize } from "../../../src/core/text/normalize.js";

/** The same text as residents' phones may send it: NFC or NFD, as typed or in capitals. */
function variants(text: string): Array<{ form: string; input: string }> {
  return [
    { form: "NFC", input: text.normalize("NFC") },
    { form: "NFD", input: text.normalize("NFD") },
    { form: "upper NFC", input: text.toUpperCase().normalize("NFC") },
    { form: "upper NFD", input: text.toUpperCase().normalize("NFD") },
  ];
}

function table<T>(cases: ReadonlyArray<{ text: string; expected: T }>) {
  return cases.flatMap(({ text, expected }) =>
    variants(text).map(({ form, input }) => ({ text, form, input, expected })),
  );
}

describe("variants helper", () => {
  it("should really produce decomposed input for the NFD forms", () => {
    const [nfc, nfd] = variants("Điện thoại");
    expect(nfd?.input).not.toBe(nfc?.input);
    expect(nfd?.input.length).toBeGreaterThan(nfc?.input.length ?? Infinity);
  });
});

describe("toNfc", () => {
  it.each(["Điện thoại", "Hòa", "Hoà", "kế hoạch", "Đường"])("should compose NFD %s back to NFC", (text) => {
    const nfc = text.normalize("NFC");
    expect(toNfc(text.normalize("NFD"))).toBe(nfc);
    expect(toNfc(nfc)).toBe(nfc);
  });
});

describe("fold", () => {
  it.each(
    table([
      { text: "Điện thoại", expected: "dien thoai" },
      { text: "ĐIỆN THOẠI", expected: "dien thoai" },
      { text: "dien thoai", expected: "dien thoai" },
      { text: "Đường", expected: "duong" },
      { text: "Hòa", expected: "hoa" },
      { text: "Hoà", expected: "hoa" },
      { text: "Kế hoạch xã Phú Tân", expected: "ke hoach xa phu tan" },
      { text: "Ủy ban nhân dân", expected: "uy ban nhan dan" },
      { text: "Uỷ ban nhân dân", expected: "uy ban nhan dan" },
      { text: "Thông tư 14/2022/TT-BTTTT", expected: "thong tu 14/2022/tt-btttt" },
    ]),
  )("should fold $form of '$text' to '$expected'", ({ input, expected }) => {
    expect(fold(input)).toBe(expected);
  });

  it("should fold old and new tone placement (Hòa / Hoà) to the same string", () => {
    expect(fold("Hòa")).toBe(fold("Hoà"));
    expect(fold("Hòa".normalize("NFD"))).toBe(fold("Hoà".normalize("NFD")));
  });

  it("should return NFC output even for NFD input", () => {
    const out = fold("Ngừng sóng".normalize("NFD"));
    expect(out).toBe("ngung song");
    expect(out).toBe(out.normalize("NFC"));
  });
});

describe("tokenize", () => {
  it.each(
    table<string[]>([
      { text: "Điện thoại", expected: ["dien", "thoai"] },
      {
        text: "Thông tư 14/2022/TT-BTTTT",
        expected: ["thong", "tu", "14/2022", "14", "2022", "tt", "btttt"],
      },
      { text: "500.000 đồng", expected: ["500000", "dong"] },
      { text: "Hỗ trợ 1.500.000 đồng.", expected: ["ho", "tro", "1500000", "dong"] },
      { text: "Trước ngày 10/11", expected: ["truoc", "ngay", "10/11", "10", "11"] },
      { text: "70Mb/s", expected: ["70mb", "70", "mb", "s"] },
      { text: "Gọi 113,114,115", expected: ["goi", "113,114,115", "113", "114", "115"] },
      { text: "Gọi 113, 114, 115", expected: ["goi", "113", "114", "115"] },
      { text: "Tắt sóng 2G", expected: ["tat", "song", "2g"] },
      { text: "máy 4G, 5G", expected: ["may", "4g", "5g"] },
    ]),
  )("should tokenize $form of '$text'", ({ input, expected }) => {
    expect(tokenize(fold(input))).toEqual(expected);
  });

  it("should keep 2g whole rather than split it into a number and a unit", () => {
    const tokens = tokenize(fold("2G"));
    expect(tokens).toEqual(["2g"]);
    expect(tokens).not.toContain("2");
    expect(tokens).not.toContain("g");
  });

  it("should return no tokens for punctuation only", () => {
    expect(tokenize(fold(" ?!... ./. "))).toEqual([]);
  });
});

describe("bigrams", () => {
  it.each([
    { tokens: ["dien", "thoai", "thong", "minh"], expected: ["dien_thoai", "thoai_thong", "thong_minh"] },
    { tokens: ["dien", "thoai"], expected: ["dien_thoai"] },
    { tokens: ["dien"], expected: [] },
    { tokens: [], expected: [] },
  ])("should join consecutive tokens of $tokens", ({ tokens, expected }) => {
    expect(bigrams(tokens)).toEqual(expected);
  });
});

describe("hasNoDiacritics", () => {
  it.each([
    { label: "plain 'ke hoach xa phu tan'", text: "ke hoach xa phu tan", expected: true },
    { label: "plain capitals 'KE HOACH'", text: "KE HOACH", expected: true },
    { label: "NFC 'kế hoạch'", text: "kế hoạch", expected: false },
    { label: "NFD 'kế hoạch'", text: "kế hoạch".normalize("NFD"), expected: false },
    { label: "'Đ'", text: "Đ", expected: false },
    { label: "'đ'", text: "đ", expected: false },
    { label: "'Hoà' (new tone placement)", text: "Hoà", expected: false },
  ])("should return $expected for $label", ({ text, expected }) => {
    expect(hasNoDiacritics(text)).toBe(expected);
  });
});
