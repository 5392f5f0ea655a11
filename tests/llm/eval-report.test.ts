import { describe, expect, it } from "vitest";
import { buildReport, formatLlmUsage, formatSideBySide, summarizeLlm, type Outcome } from "../../src/cli/eval-report.js";

let n = 0;
const row = (topic: string, correct: boolean, opts: Partial<Outcome> = {}): Outcome => ({
  id: `q${++n}`,
  topic,
  expect: "answer",
  origin: "written",
  noDiacritics: false,
  correct,
  kind: "extractive",
  mentions: correct,
  forbidden: null,
  onPoint: true,
  languageOk: true,
  chars: 200,
  hit1: null,
  hit3: null,
  answer: "",
  sources: [],
  ...opts,
});

describe("the side-by-side evaluation report", () => {
  it("should show the default and the language-model numbers in pairs, per topic", () => {
    const byDefault = buildReport([row("2g", true, { hit3: true, hit1: true }), row("2g", true, { hit3: true, hit1: true }), row("off", true, { expect: "decline", kind: "refusal" })]);
    const withLlm = buildReport([row("2g", true, { hit3: true, hit1: true }), row("2g", false, { hit3: false, hit1: false }), row("off", true, { expect: "decline", kind: "refusal" })]);
    const table = formatSideBySide(byDefault, withLlm);
    expect(table).toMatch(/^2g\s+2\s+100\.0%\s+50\.0%\s+–\s+–\s+0\.0%\s+0\.0%$/m);
    expect(table).toMatch(/^off\s+1\s+–\s+–\s+100\.0%\s+100\.0%/m);
    expect(table).toMatch(/trích\s+LLM/);
  });

  it("should tally what the model wrote and why it kept the default answers", () => {
    const usage = summarizeLlm([
      { used: true, reason: null },
      { used: true, reason: null },
      { used: false, reason: "curated_faq" },
      { used: false, reason: "unfaithful:number 90" },
      { used: false, reason: "unfaithful:date 1/1/2024" },
      undefined,
    ]);
    expect(usage).toEqual({ questions: 6, used: 2, kept: { curated_faq: 1, unfaithful: 2, no_model_call: 1 } });
    expect(formatLlmUsage("ollama:qwen2.5:7b", usage)).toBe("ollama:qwen2.5:7b: viết 2/6 câu trả lời; giữ câu trả lời mặc định: unfaithful 2, curated_faq 1, no_model_call 1");
  });
});
