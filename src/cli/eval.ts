/**
 * Runs the evaluation set through the same code path as `npm run ask` and reports, per topic,
 * source hit@1/hit@3 (where expected sources are given), answer accuracy (must-mention),
 * refusal accuracy, and no-diacritics questions against the rest.
 *   npm run eval [-- --file eval/questions.jsonl] [--topic plan] [--verbose] [--no-gate]
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
import { buildReport, checkGate, DEFAULT_GATE, formatTable, type Outcome } from "./eval-report.js";
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

  const engine = await createEngine(loadConfig(), { onProgress: stderrProgress() });
  const rows: Outcome[] = [];
  for (const q of questions) {
    const request = parseAskRequest({ question: q.question, commune: q.commune ?? undefined });
    // The commune in the eval record describes the question; the question text itself names it.
    const result = await engine.answer({ question: request.question });
    const answer = result.answer.normalize("NFC").toLowerCase();
    const mentions = q.must_mention_any.some((m) => answer.includes(m.normalize("NFC").toLowerCase()));
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

  const report = buildReport(rows);
  process.stdout.write(`${formatTable(report)}\n`);
  const failures = rows.filter((r) => !r.correct);
  if (failures.length) {
    process.stdout.write(`\nSai (${failures.length}):\n`);
    for (const f of failures) {
      const q = questions.find((x) => x.id === f.id) as Question;
      process.stdout.write(`- ${f.id} [${f.topic}, ${f.kind}] ${q.question}\n`);
      if (values.verbose) process.stdout.write(`    → ${f.answer.replace(/\n/g, "\n      ")}\n    nguồn: ${f.sources.join(" | ")}\n`);
    }
  }

  // The gate applies to the whole set; a run restricted to one topic only reports.
  const gated = !values["no-gate"] && !values.topic;
  const checks = checkGate(report, DEFAULT_GATE);
  process.stdout.write(`\nNgưỡng chất lượng / quality gate${gated ? "" : " (chỉ báo cáo / report only)"}:\n`);
  for (const c of checks) {
    process.stdout.write(`${c.passed ? "✓" : "✗"} ${c.name}: ${c.value === null ? "–" : c.value} (${c.limit})\n`);
  }

  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify({ ranAt: new Date().toISOString(), ...report, gate: { thresholds: DEFAULT_GATE, checks }, rows }, null, 2));
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
