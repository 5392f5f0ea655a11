/**
 * Property-based tests of Vietnamese normalization (fast-check): folding is idempotent, and the
 * NFC and NFD forms of any string fold, tokenize and analyze alike. `npm run fuzz` runs the same
 * checks on many more inputs.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkNormalize, hostileText, SYLLABLES } from "../../../tools/fuzz.js";
import { fold, toNfc } from "../../../src/core/text/normalize.js";
import type { Engine } from "../../../src/app/engine.js";
import { testEngine } from "../../helpers/engine.js";

const RUNS = 400;

/** Vietnamese text built from real syllables, as a phone may send it. */
const vietnamese = fc.array(fc.constantFrom(...SYLLABLES), { minLength: 1, maxLength: 12 }).map((w) => w.join(" "));

let t: { engine: Engine; cleanup: () => Promise<void> };
beforeAll(async () => {
  t = await testEngine();
});
afterAll(async () => {
  await t.cleanup();
});

describe("fold (property-based)", () => {
  it("should be idempotent for any string", () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string({ unit: "binary" })), (s) => {
        expect(fold(fold(s))).toBe(fold(s));
      }),
      { numRuns: RUNS },
    );
  });

  it("should fold the NFC and the NFD form of any string to the same key", () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string({ unit: "binary" })), (s) => {
        expect(fold(s.normalize("NFD"))).toBe(fold(s.normalize("NFC")));
      }),
      { numRuns: RUNS },
    );
  });

  it("should fold Vietnamese typed in NFC, NFD, upper case or without diacritics to one key", () => {
    fc.assert(
      fc.property(vietnamese, (s) => {
        const key = fold(s);
        expect(fold(s.normalize("NFD"))).toBe(key);
        expect(fold(s.toUpperCase())).toBe(key);
        expect(fold(key)).toBe(key);
        expect(key).not.toMatch(/[\u0300-\u036fđĐ]/);
      }),
      { numRuns: RUNS },
    );
  });

  it("should keep toNfc idempotent", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        expect(toNfc(toNfc(s))).toBe(toNfc(s));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("every normalization property with the real analyzer (property-based)", () => {
  it("should hold for hostile strings: fold, tokenize, words and query analysis agree for NFC and NFD", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        expect(checkNormalize(s, t.engine.knowledge.analyzer)).toEqual({});
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ["a lone high surrogate", "đi\ud800ện"],
    ["a lone low surrogate first", "\udc00Điện thoại"],
    ["Turkish dotted capital I", "İ İstanbul"],
    ["Greek capital sigma at word end", "ΟΔΟΣ ΣΑΣ"],
    ["a combining-mark storm", `e${"\u0301\u0323\u0302".repeat(200)}`],
    ["NUL and bidi controls", "\u0000\u202eđiện\u202c\u200b thoại"],
    ["10,000 characters of one syllable", "điện".repeat(2500)],
    ["a decomposed đ look-alike", "d\u0335\u0110"],
  ])("should hold for %s", (_name, s) => {
    expect(checkNormalize(s, t.engine.knowledge.analyzer)).toEqual({});
  });

  it("should report a broken property (the check can fail)", () => {
    // A fold that kept case would break idempotence of the key; checkNormalize must notice a
    // wrong analyzer too: one that analyzes NFD input differently.
    const analyzer = t.engine.knowledge.analyzer;
    const skewed = { ...analyzer, analyzeQuery: (text: string) => analyzer.analyzeQuery(text === text.normalize("NFC") ? text : "khác") };
    expect(checkNormalize("Điện thoại", skewed).violation).toBe("NFC and NFD analyze differently");
  });
});
