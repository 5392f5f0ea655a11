/**
 * Property-based tests of number masking (fast-check): a phone number is hidden whatever blanks,
 * dashes or invisible characters separate its digit groups and whatever Vietnamese surrounds it;
 * masking is idempotent, and NFC and NFD text are masked alike.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskSensitive } from "../../../src/core/privacy/mask.js";

const RUNS = 400;

/** Syllables around a number: with and without diacritics, keywords, money words, "đồng ý". */
const SYLLABLES = [
  "số", "so", "điện", "thoại", "dien", "thoai", "sđt", "sdt", "SĐT", "gọi", "goi", "cho", "tôi", "toi", "mẹ", "Zalo",
  "CCCD", "cmnd", "căn", "cước", "stk", "tài", "khoản", "tai", "khoan", "đồng", "ý", "dong", "y", "triệu", "người",
  "hỗ", "trợ", "ho", "tro", "nhé", "nha", "ĐƯỜNG", "Nguyễn", "phiên", "bản", "năm", "ngày", "lúc", "ở", "đâu",
] as const;
/** Vietnamese words around a number, as a phone may send them. */
const words = fc.array(fc.constantFrom(...SYLLABLES), { minLength: 0, maxLength: 8 }).map((w) => w.join(" "));

/** Digit-heavy text: digits, separators of every kind and words, in any order. */
const DIGITISH = ["0", "1", "2", "5", "9", "84", "+", "(", ")", " ", "  ", "\t", "\u00A0", "\u202F", "\u200B", "\uFEFF", ".", ",", "-", "–", "—", "/", "đ", "đồng", "ý", "d\u0301", "\u0301", "\n"];
const hostileText = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...DIGITISH), fc.constantFrom(...SYLLABLES)), { maxLength: 80 }).map((p) => p.join("")),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme-composite", maxLength: 100 }),
);

/** Separators people and phones put between digit groups. */
const separator = fc.constantFrom(
  " ", "  ", "   ", "\t", "\u00A0", "\u202F", "\u2009", "\u2007", "\u200B", "\u2060", "\uFEFF", " \u200B",
  ".", "-", "–", "—", "−", "\u2011", ",", " - ", " – ", " . ",
);

/** A mobile number (0 + 3/5/7/8/9 + 8 digits) cut into groups of one to four digits. */
const groupedPhone = fc
  .tuple(fc.constantFrom("3", "5", "7", "8", "9"), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 10, maxLength: 10 }))
  .map(([network, rest, cuts]) => {
    const digits = `0${network}${rest.join("")}`;
    const groups: string[] = [];
    for (let i = 0, c = 0; i < digits.length; c++) {
      const size = cuts[c] ?? 4;
      groups.push(digits.slice(i, i + size));
      i += size;
    }
    return { digits, groups };
  });

/** Digits only, so a number is found in whatever formatting survived. */
const digitsOf = (text: string) => text.replace(/\D/g, "");

describe("masking (property-based)", () => {
  it("should hide a phone number whatever separates its groups and whatever words surround it", () => {
    fc.assert(
      fc.property(words, groupedPhone, fc.array(separator, { minLength: 10, maxLength: 10 }), words, (before, { digits, groups }, seps, after) => {
        const number = groups.map((g, i) => (i === 0 ? g : `${seps[i - 1] ?? " "}${g}`)).join("");
        const text = `${before} ${number} ${after}`;
        const masked = maskSensitive(text);
        // The number's last nine digits never survive, in any formatting.
        expect(digitsOf(masked)).not.toContain(digits.slice(1));
        expect(maskSensitive(masked)).toBe(masked);
        expect(maskSensitive(text.normalize("NFD")).normalize("NFC")).toBe(masked.normalize("NFC"));
      }),
      { numRuns: RUNS },
    );
  });

  it("should be idempotent and mask NFC and NFD text alike for hostile strings", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        const nfc = maskSensitive(s.normalize("NFC"));
        expect(maskSensitive(nfc)).toBe(nfc);
        expect(maskSensitive(s.normalize("NFD")).normalize("NFC")).toBe(nfc.normalize("NFC"));
      }),
      { numRuns: RUNS },
    );
  });
});
