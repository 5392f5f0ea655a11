/**
 * Property-based tests of the default (no LLM) engine's `answer()`: for any string it resolves,
 * passes AnswerResultSchema (length bounds, confidence 0..1, citations), answers NFD like NFC, and
 * never echoes the question. `npm run fuzz` runs the same checks on many more inputs.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerRequestArb, checkAnswer, hostileText, oneSyllable10k, veryLongWord } from "../../../tools/fuzz.js";
import { AnswerResultSchema, MAX_ANSWER_CHARS, MAX_SOURCES } from "../../../src/core/answering/result-schema.js";
import type { Engine } from "../../../src/app/engine.js";
import { testEngine } from "../../helpers/engine.js";

let t: { engine: Engine; cleanup: () => Promise<void> };
beforeAll(async () => {
  t = await testEngine();
});
afterAll(async () => {
  await t.cleanup();
});

describe("engine.answer() for any string (property-based)", () => {
  it("should never throw and always return a result that passes AnswerResultSchema", async () => {
    await fc.assert(
      fc.asyncProperty(answerRequestArb, async (request) => {
        expect(await checkAnswer(t.engine, request)).toEqual({});
      }),
      { numRuns: 300 },
    );
  });

  it("should give the NFD form of a question the same answer as its NFC form", async () => {
    await fc.assert(
      fc.asyncProperty(answerRequestArb, async (request) => {
        expect(await checkAnswer(t.engine, request, true)).toEqual({});
      }),
      { numRuns: 100 },
    );
  });

  it("should stay within its bounds for 10,000 characters of one syllable and for very long words", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(oneSyllable10k, veryLongWord), async (question) => {
        const result = await t.engine.answer({ question });
        expect(result.answer.length).toBeGreaterThan(0);
        expect(result.answer.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
        expect(result.sources.length).toBeLessThanOrEqual(MAX_SOURCES);
        expect(result.confidence).toBeGreaterThanOrEqual(0);
        expect(result.confidence).toBeLessThanOrEqual(1);
      }),
      { numRuns: 25 },
    );
  });

  it("should never echo the question's text (markup, SQL, a unique marker) into the answer", async () => {
    const marker = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => `zq${Buffer.from(b).toString("hex")}`);
    await fc.assert(
      fc.asyncProperty(hostileText, marker, hostileText, async (before, id, after) => {
        const injected = `<script>alert("${id}")</script>`;
        const result = await t.engine.answer({ question: `${before} ${injected} ${after}` });
        expect(result.answer).not.toContain(id);
        expect(result.answer).not.toContain("<script");
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ["an empty string", ""],
    ["only whitespace and controls", " \t\n\u0000\u0007\u001b[31m\u007f\u200b\ufeff "],
    ["only emoji", "👨‍👩‍👧‍👦🇻🇳👍🏽❤️🙏"],
    ["right-to-left text", "مرحبا \u202eđiện thoại\u202c שלום"],
    ["mixed scripts", "Привет 你好 điện thoại こんにちは 𝐝𝐢𝐞̣̂𝐧"],
    ["an SQL fragment", "'; DROP TABLE users; -- hỗ trợ điện thoại"],
    ["an HTML fragment", "<img src=x onerror=alert(1)> vneid mức 2"],
    ["lone surrogates", "\ud800điện\udfff thoại \udc00"],
    ["10,000 characters of one syllable", "điện ".repeat(2000)],
    ["a 50,000-character word", "a".repeat(50_000)],
    ["a combining-mark storm", `đ${"\u0301".repeat(5000)}`],
  ])("should answer %s within its bounds", async (_name, question) => {
    for (const commune of [null, "phu-tan"]) {
      const result = await t.engine.answer({ question, commune });
      expect(AnswerResultSchema.safeParse(result).success).toBe(true);
    }
  });
});

describe("AnswerResultSchema", () => {
  const valid = {
    answer: "Theo tài liệu “VNeID”: Đăng ký tại công an xã. [1]",
    kind: "extractive",
    confidence: 0.8,
    commune: null,
    sources: [{ id: "huong-dan-vneid", title: "Hướng dẫn VNeID", section: "1. Đăng ký", url: null }],
    diagnostics: { route: "retrieval", refusal: null, communeFrom: "default", hits: [], bestRelevance: 0.8 },
  };

  it("should accept a well-formed answer", () => {
    expect(AnswerResultSchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    ["a blank answer", { answer: " \n " }],
    ["an answer over the length bound", { answer: `${"a".repeat(MAX_ANSWER_CHARS)} [1]` }],
    ["a confidence above 1", { confidence: 1.2 }],
    ["a confidence that is not a number", { confidence: Number.NaN }],
    ["a marker without its source", { answer: "Câu trả lời [2]" }],
    ["too many sources", { sources: Array.from({ length: MAX_SOURCES + 1 }, (_, i) => ({ ...valid.sources[0], id: `doc-${i}` })) }],
    ["a refusal citing a source", { kind: "refusal", answer: "Xin lỗi bà con." }],
    ["an extractive answer without sources", { sources: [], answer: "Không có nguồn." }],
    ["an unknown kind", { kind: "guess" }],
  ])("should reject %s", (_name, change) => {
    expect(AnswerResultSchema.safeParse({ ...valid, ...change }).success).toBe(false);
  });
});
