/**
 * Runs the evaluation set through the same code path as `npm run ask` and reports, per topic,
 * source hit@1/hit@3 (where expected sources are given), answer accuracy (must-mention),
 * refusal accuracy, and no-diacritics questions against the rest.
 *   npm run eval [-- --file eval/questions.jsonl] [--topic plan] [--verbose]
 * Writes eval/results/latest.json.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod/v4";
import { loadConfig } from "../config.js";
import { parseAskRequest } from "../core/answering/request.js";
import { hasNoDiacritics } from "../core/text/normalize.js";
import { createEngine } from "../engine.js";
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

interface Outcome {
  id: string;
  topic: string;
  answerable: boolean;
  noDiacritics: boolean;
  correct: boolean;
  kind: string;
  hit1: boolean | null;
  hit3: boolean | null;
  answer: string;
  sources: string[];
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

function summarize(rows: Outcome[]) {
  const answerable = rows.filter((r) => r.answerable);
  const refusable = rows.filter((r) => !r.answerable);
  const withSources = answerable.filter((r) => r.hit1 !== null);
  return {
    questions: rows.length,
    answer_accuracy: pct(answerable.filter((r) => r.correct).length, answerable.length),
    refusal_accuracy: pct(refusable.filter((r) => r.correct).length, refusable.length),
    hit_at_1: pct(withSources.filter((r) => r.hit1).length, withSources.length),
    hit_at_3: pct(withSources.filter((r) => r.hit3).length, withSources.length),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: "string", default: "eval/questions.jsonl" },
      topic: { type: "string" },
      verbose: { type: "boolean", short: "v", default: false },
      out: { type: "string", default: "eval/results/latest.json" },
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

  const topics = [...new Set(rows.map((r) => r.topic))].sort();
  const byTopic = Object.fromEntries(topics.map((t) => [t, summarize(rows.filter((r) => r.topic === t))]));
  const overall = summarize(rows);
  const plain = summarize(rows.filter((r) => r.noDiacritics));
  const marked = summarize(rows.filter((r) => !r.noDiacritics));

  const fmt = (v: number | null) => (v === null ? "   –  " : `${v.toFixed(1).padStart(5)}%`);
  const line = (name: string, s: ReturnType<typeof summarize>) =>
    `${name.padEnd(16)} ${String(s.questions).padStart(4)}  ${fmt(s.answer_accuracy)}  ${fmt(s.refusal_accuracy)}  ${fmt(s.hit_at_1)}  ${fmt(s.hit_at_3)}`;
  const out = [
    `${"topic".padEnd(16)} ${"n".padStart(4)}  ${"answer".padStart(6)}  ${"refuse".padStart(6)}  ${"hit@1".padStart(6)}  ${"hit@3".padStart(6)}`,
    ...topics.map((t) => line(t, byTopic[t] as ReturnType<typeof summarize>)),
    line("TỔNG / overall", overall),
    line("không dấu", plain),
    line("có dấu", marked),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  const failures = rows.filter((r) => !r.correct);
  if (failures.length) {
    process.stdout.write(`\nSai (${failures.length}):\n`);
    for (const f of failures) {
      const q = questions.find((x) => x.id === f.id) as Question;
      process.stdout.write(`- ${f.id} [${f.topic}, ${f.kind}] ${q.question}\n`);
      if (values.verbose) process.stdout.write(`    → ${f.answer.replace(/\n/g, "\n      ")}\n    nguồn: ${f.sources.join(" | ")}\n`);
    }
  }

  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify({ ranAt: new Date().toISOString(), overall, byTopic, noDiacritics: plain, withDiacritics: marked, rows }, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Lỗi: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
