/**
 * Scoring of an evaluation run: per-group summaries and the quality gate that `.ci/run`
 * enforces through `npm run eval`. Pure functions, so the gate itself is tested.
 */

/** One evaluated question. */
export interface Outcome {
  readonly id: string;
  readonly topic: string;
  readonly answerable: boolean;
  readonly noDiacritics: boolean;
  readonly correct: boolean;
  readonly kind: string;
  /** Whether the first / any of the first three sources is expected; null without expected sources. */
  readonly hit1: boolean | null;
  readonly hit3: boolean | null;
  readonly answer: string;
  readonly sources: readonly string[];
}

export interface Summary {
  readonly questions: number;
  /** Percentages with one decimal; null when the group has no such question. */
  readonly answer_accuracy: number | null;
  readonly refusal_accuracy: number | null;
  readonly hit_at_1: number | null;
  readonly hit_at_3: number | null;
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

export function summarize(rows: readonly Outcome[]): Summary {
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

export interface Report {
  readonly overall: Summary;
  readonly byTopic: Readonly<Record<string, Summary>>;
  /** Questions typed without any diacritics, and the rest. */
  readonly noDiacritics: Summary;
  readonly withDiacritics: Summary;
}

export function buildReport(rows: readonly Outcome[]): Report {
  const topics = [...new Set(rows.map((r) => r.topic))].sort();
  return {
    overall: summarize(rows),
    byTopic: Object.fromEntries(topics.map((t) => [t, summarize(rows.filter((r) => r.topic === t))])),
    noDiacritics: summarize(rows.filter((r) => r.noDiacritics)),
    withDiacritics: summarize(rows.filter((r) => !r.noDiacritics)),
  };
}

/** Thresholds of the quality gate, in percent (points for the gap). */
export interface Gate {
  readonly minAnswer: number;
  readonly minRefusal: number;
  readonly minTopicAnswer: number;
  readonly maxDiacriticsGap: number;
}

/** The product's bar: ≥90% answers overall and per topic, ≥95% refusals, typing without diacritics within 3 points. */
export const DEFAULT_GATE: Gate = { minAnswer: 90, minRefusal: 95, minTopicAnswer: 90, maxDiacriticsGap: 3 };

export interface GateCheck {
  readonly name: string;
  readonly value: number | null;
  readonly limit: string;
  readonly passed: boolean;
}

/** Checks a report against the gate; a group without questions of a kind passes that check. */
export function checkGate(report: Report, gate: Gate = DEFAULT_GATE): GateCheck[] {
  const atLeast = (name: string, value: number | null, min: number): GateCheck => ({
    name,
    value,
    limit: `≥ ${min}%`,
    passed: value === null || value >= min,
  });
  const checks: GateCheck[] = [
    atLeast("answer accuracy, overall", report.overall.answer_accuracy, gate.minAnswer),
    atLeast("refusal accuracy, overall", report.overall.refusal_accuracy, gate.minRefusal),
    ...Object.entries(report.byTopic).map(([topic, s]) => atLeast(`answer accuracy, ${topic}`, s.answer_accuracy, gate.minTopicAnswer)),
  ];
  const plain = report.noDiacritics.answer_accuracy;
  const marked = report.withDiacritics.answer_accuracy;
  const gap = plain === null || marked === null ? null : Math.round(10 * (marked - plain)) / 10;
  checks.push({ name: "no-diacritics gap (marked − plain)", value: gap, limit: `≤ ${gate.maxDiacriticsGap} points`, passed: gap === null || gap <= gate.maxDiacriticsGap });
  return checks;
}

/** The report as a fixed-width table, one row per topic, then overall and by typing style. */
export function formatTable(report: Report): string {
  const fmt = (v: number | null) => (v === null ? "    – " : `${v.toFixed(1).padStart(5)}%`);
  const line = (name: string, s: Summary) =>
    `${name.padEnd(16)} ${String(s.questions).padStart(4)}  ${fmt(s.answer_accuracy)}  ${fmt(s.refusal_accuracy)}  ${fmt(s.hit_at_1)}  ${fmt(s.hit_at_3)}`;
  return [
    `${"topic".padEnd(16)} ${"n".padStart(4)}  ${"answer".padStart(6)}  ${"refuse".padStart(6)}  ${"hit@1".padStart(6)}  ${"hit@3".padStart(6)}`,
    ...Object.entries(report.byTopic).map(([t, s]) => line(t, s)),
    line("TỔNG / overall", report.overall),
    line("không dấu", report.noDiacritics),
    line("có dấu", report.withDiacritics),
  ].join("\n");
}

/** What the language model did over a run: answers it wrote, and why it did not write the others. */
export interface LlmUsage {
  readonly questions: number;
  /** Answers written by the model (kind "generative"). */
  readonly used: number;
  /** Answers kept as the default gave them, by reason ("curated_faq", "timeout", "unfaithful:…" grouped as "unfaithful"). */
  readonly kept: Readonly<Record<string, number>>;
}

/** Tallies the `diagnostics.llm` reasons of a run (refusals and handoffs count as "no_model_call"). */
export function summarizeLlm(reasons: ReadonlyArray<{ used: boolean; reason: string | null } | undefined>): LlmUsage {
  const kept: Record<string, number> = {};
  let used = 0;
  for (const r of reasons) {
    if (r?.used) {
      used++;
      continue;
    }
    const key = r?.reason ? r.reason.replace(/:.*$/, "") : "no_model_call";
    kept[key] = (kept[key] ?? 0) + 1;
  }
  return { questions: reasons.length, used, kept };
}

/** The default and the language-model runs side by side, one row per topic ("trích" = the default, extractive). */
export function formatSideBySide(byDefault: Report, withLlm: Report): string {
  const fmt = (v: number | null) => (v === null ? "    – " : `${v.toFixed(1).padStart(5)}%`);
  const pair = (a: number | null, b: number | null) => `${fmt(a)} ${fmt(b)}`;
  const line = (name: string, a: Summary, b: Summary) =>
    `${name.padEnd(16)} ${String(a.questions).padStart(4)}  ${pair(a.answer_accuracy, b.answer_accuracy)}  ${pair(a.refusal_accuracy, b.refusal_accuracy)}  ${pair(a.hit_at_3, b.hit_at_3)}`;
  const empty: Summary = { questions: 0, answer_accuracy: null, refusal_accuracy: null, hit_at_1: null, hit_at_3: null };
  const group = (label: string) => label.padStart(13);
  const modes = `${"trích".padStart(6)} ${"LLM".padStart(6)}`;
  return [
    `${"".padEnd(16)} ${"".padStart(4)}  ${group("answer")}  ${group("refuse")}  ${group("hit@3")}`,
    `${"topic".padEnd(16)} ${"n".padStart(4)}  ${modes}  ${modes}  ${modes}`,
    ...Object.entries(byDefault.byTopic).map(([t, s]) => line(t, s, withLlm.byTopic[t] ?? empty)),
    line("TỔNG / overall", byDefault.overall, withLlm.overall),
    line("không dấu", byDefault.noDiacritics, withLlm.noDiacritics),
    line("có dấu", byDefault.withDiacritics, withLlm.withDiacritics),
  ].join("\n");
}

/** One line on what the model did: "LLM viết 120/185 câu trả lời; giữ câu trả lời mặc định: curated_faq 30, timeout 2". */
export function formatLlmUsage(model: string, usage: LlmUsage): string {
  const kept = Object.entries(usage.kept)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  return `${model}: viết ${usage.used}/${usage.questions} câu trả lời; giữ câu trả lời mặc định: ${kept || "–"}`;
}
