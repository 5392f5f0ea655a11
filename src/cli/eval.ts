/**
 * Runs the evaluation set through the same code path as `npm run ask` and reports, per topic,
 * source hit@1/hit@3 (where expected sources are given), answer accuracy (must-mention),
 * refusal accuracy, and no-diacritics questions against the rest.
 *   npm run eval [-- --file eval/questions.jsonl] [--topic plan] [--verbose] [--no-gate] [--mode default|llm|both]
 * With a language model configured (LLM_PROVIDER), both modes run by default and are reported side
 * by side; the quality gate always applies to the default (extractive) mode.
 * Writes eval/results/latest.json; exits 1 when the whole set is below the quality gate
 * (see DEFAULT_GATE in eval-report.ts).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod/v4";
import { loadConfig } from "../config.js";
import { parseAskRequest } from "../core/answering/request.js";
import { hasNoDiacritics } from "../core/text/normalize.js";
import { createEngine } from "../engine.js";
import type { AnswerRequest, AnswerResult } from "../core/answering/answer-question.js";
import { buildReport, checkGate, DEFAULT_GATE, formatLlmUsage, formatSideBySide, formatTable, summarizeLlm, type Outcome } from "./eval-report.js";
import { stderrProgress } from "./progress.js";

const QuestionSchema = z.object({
  id: z.string(),
  topic: z.string(),
  question: z.string(),
  commune: z.enum(["cong-hoa", "phu-tan"]).nullable().optional(),
  must_mention_any: z.array(z.string()).min(1),
  answerable: z.boolean(),
  /** Knowledge document ids, any of which counts as the right source. */
  expected_sources: z.array(z.string()).optional(),
});
type Question = z.infer<typeof QuestionSchema>;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: "string", default: "eval/questions.jsonl" },
      topic: { type: "string" },
      verbose: { type: "boolean", short: "v", default: false },
      out: { type: "string", default: "eval/results/latest.json" },
      "no-gate": { type: "boolean", default: false },
      mode: { type: "string" },
    },
  });
  const text = await readFile(values.file, "utf8");
  const questions: Question[] = text
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return QuestionSchema.parse(JSON.parse(l));
      } catch (err) {
        throw new Error(`${values.file}:${i + 1}: ${(err as Error).message}`);
      }
    })
    .filter((q) => !values.topic || q.topic === values.topic);

  const config = loadConfig();
  const mode = values.mode ?? (config.LLM_PROVIDER === "none" ? "default" : "both");
  if (!["default", "llm", "both"].includes(mode)) throw new Error("--mode: default, llm or both");
  if (mode !== "default" && config.LLM_PROVIDER === "none") throw new Error("--mode llm/both needs a language model: set LLM_PROVIDER (see README)");
  const engine = await createEngine(config, { onProgress: stderrProgress() });

  async function run(answer: (request: AnswerRequest) => Promise<AnswerResult>): Promise<{ rows: Outcome[]; results: AnswerResult[] }> {
    const rows: Outcome[] = [];
    const results: AnswerResult[] = [];
    for (const q of questions) {
      const request = parseAskRequest({ question: q.question, commune: q.commune ?? undefined });
      // The commune in the eval record describes the question; the question text itself names it.
      const result = await answer({ question: request.question });
      results.push(result);
      const text = result.answer.normalize("NFC").toLowerCase();
      const mentions = q.must_mention_any.some((m) => text.includes(m.normalize("NFC").toLowerCase()));
      const correct = q.answerable ? mentions && result.kind !== "refusal" && result.kind !== "handoff" : mentions && (result.kind === "refusal" || result.kind === "handoff");
      const ids = result.sources.map((s) => s.id);
      const expected = q.expected_sources;
      rows.push({
        id: q.id,
        topic: q.topic,
        answerable: q.answerable,
        noDiacritics: hasNoDiacritics(q.question),
        correct,
        kind: result.kind,
        hit1: expected ? expected.includes(ids[0] ?? "") : null,
        hit3: expected ? ids.slice(0, 3).some((id) => expected.includes(id)) : null,
        answer: result.answer,
        sources: result.sources.map((s) => `${s.id} › ${s.section}`),
      });
    }
    return { rows, results };
  }

  const printFailures = (label: string, failed: readonly Outcome[]) => {
    if (!failed.length) return;
    process.stdout.write(`\n${label} (${failed.length}):\n`);
    for (const f of failed) {
      const q = questions.find((x) => x.id === f.id) as Question;
      process.stdout.write(`- ${f.id} [${f.topic}, ${f.kind}] ${q.question}\n`);
      if (values.verbose) process.stdout.write(`    → ${f.answer.replace(/\n/g, "\n      ")}\n    nguồn: ${f.sources.join(" | ")}\n`);
    }
  };

  const llmRun = mode === "default" ? null : await run((r) => engine.answer(r));
  if (mode === "llm" && llmRun) {
    const report = buildReport(llmRun.rows);
    const usage = summarizeLlm(llmRun.results.map((r) => r.diagnostics.llm));
    process.stdout.write(`Chế độ mô hình ngôn ngữ / language-model mode (chỉ báo cáo / report only)\n${formatTable(report)}\n\n${formatLlmUsage(engine.llm?.model.id ?? config.LLM_PROVIDER, usage)}\n`);
    printFailures("Sai (LLM)", llmRun.rows.filter((r) => !r.correct));
    await mkdir(path.dirname(values.out), { recursive: true });
    await writeFile(values.out, JSON.stringify({ ranAt: new Date().toISOString(), mode, llm: { model: engine.llm?.model.id, ...report, usage, rows: llmRun.rows } }, null, 2));
    return 0;
  }
  // The default mode, always through the extractive answerer (the gate's numbers never depend on the model).
  const { rows } = await run((r) => engine.answerDefault(r));

  const report = buildReport(rows);
  process.stdout.write(`${formatTable(report)}\n`);
  printFailures("Sai", rows.filter((r) => !r.correct));

  let llmSection: Record<string, unknown> | null = null;
  if (llmRun) {
    const llmReport = buildReport(llmRun.rows);
    const usage = summarizeLlm(llmRun.results.map((r) => r.diagnostics.llm));
    const model = engine.llm?.model.id ?? config.LLM_PROVIDER;
    process.stdout.write(`\nMặc định (trích) và mô hình ngôn ngữ (LLM) / default vs language model:\n${formatSideBySide(report, llmReport)}\n\n${formatLlmUsage(model, usage)}\n`);
    printFailures("Sai (LLM)", llmRun.rows.filter((r) => !r.correct));
    llmSection = { model, ...llmReport, usage, rows: llmRun.rows };
  }

  // The gate applies to the whole set; a run restricted to one topic only reports.
  const gated = !values["no-gate"] && !values.topic;
  const checks = checkGate(report, DEFAULT_GATE);
  process.stdout.write(`\nNgưỡng chất lượng (chế độ mặc định) / quality gate (default mode)${gated ? "" : " (chỉ báo cáo / report only)"}:\n`);
  for (const c of checks) {
    process.stdout.write(`${c.passed ? "✓" : "✗"} ${c.name}: ${c.value === null ? "–" : c.value} (${c.limit})\n`);
  }

  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify({ ranAt: new Date().toISOString(), ...report, gate: { thresholds: DEFAULT_GATE, checks }, rows, ...(llmSection ? { llm: llmSection } : {}) }, null, 2));
  const failed = checks.filter((c) => !c.passed);
  if (gated && failed.length) {
    process.stderr.write(`Đánh giá không đạt ngưỡng: ${failed.map((c) => c.name).join("; ")}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Lỗi: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
