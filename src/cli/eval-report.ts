/**
 * Summaries of an evaluation run and the quality gate that `.ci/run` enforces through
 * `npm run eval`. Pure functions, so the gate itself is tested.
 */
import type { Outcome } from "./eval-score.js";

export type { Outcome } from "./eval-score.js";

export interface Summary {
  readonly questions: number;
  /** Percentages with one decimal; null when the group has no such item. */
  readonly answer_accuracy: number | null;
  readonly decline_accuracy: number | null;
  readonly smalltalk_accuracy: number | null;
  /** Answerable items answered with a hand-off / with "did you mean", in percent. */
  readonly handoff_rate: number | null;
  readonly clarify_rate: number | null;
  /** Answerable items whose reply was an answer but missed the yes/no or the date in its first sentence. */
  readonly off_point: number;
  /** Characters of the replies to answerable items: median and 95th percentile; how many over 600. */
  readonly median_chars: number | null;
  readonly p95_chars: number | null;
  readonly over_600: number;
  readonly hit_at_1: number | null;
  readonly hit_at_3: number | null;
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export function summarize(rows: readonly Outcome[]): Summary {
  const answerable = rows.filter((r) => r.expect === "answer");
  const declines = rows.filter((r) => r.expect === "decline");
  const smalltalk = rows.filter((r) => r.expect === "smalltalk");
  const withSources = answerable.filter((r) => r.hit1 !== null);
  const chars = answerable.map((r) => r.chars);
  const answered = answerable.filter((r) => ["faq", "extractive", "generative"].includes(r.kind));
  return {
    questions: rows.length,
    answer_accuracy: pct(answerable.filter((r) => r.correct).length, answerable.length),
    decline_accuracy: pct(declines.filter((r) => r.correct).length, declines.length),
    smalltalk_accuracy: pct(smalltalk.filter((r) => r.correct).length, smalltalk.length),
    handoff_rate: pct(answerable.filter((r) => r.kind === "handoff").length, answerable.length),
    clarify_rate: pct(answerable.filter((r) => r.kind === "clarify").length, answerable.length),
    off_point: answered.filter((r) => !r.onPoint).length,
    median_chars: percentile(chars, 50),
    p95_chars: percentile(chars, 95),
    over_600: chars.filter((c) => c > 600).length,
    hit_at_1: pct(withSources.filter((r) => r.hit1).length, withSources.length),
    hit_at_3: pct(withSources.filter((r) => r.hit3).length, withSources.length),
  };
}

export interface Report {
  readonly overall: Summary;
  readonly byTopic: Readonly<Record<string, Summary>>;
  /** Published questions and questions written in residents' styles. */
  readonly byOrigin: Readonly<Record<string, Summary>>;
  /** Vietnamese questions typed without any diacritics, and the rest. */
  readonly noDiacritics: Summary;
  readonly withDiacritics: Summary;
}

export function buildReport(rows: readonly Outcome[]): Report {
  const group = (key: (r: Outcome) => string) => {
    const keys = [...new Set(rows.map(key))].sort();
    return Object.fromEntries(keys.map((k) => [k, summarize(rows.filter((r) => key(r) === k))]));
  };
  return {
    overall: summarize(rows),
    byTopic: group((r) => r.topic),
    byOrigin: group((r) => r.origin),
    noDiacritics: summarize(rows.filter((r) => r.noDiacritics === true)),
    withDiacritics: summarize(rows.filter((r) => r.noDiacritics === false)),
  };
}

/** Thresholds of the quality gate: percentages, points for the gap, characters for the length. */
export interface Gate {
  readonly minAnswer: number;
  readonly minDecline: number;
  readonly maxDiacriticsGap: number;
  readonly maxHandoffRate: number;
  readonly maxMedianChars: number;
}

/** The product's bar (issue 13): ≥90% answered right, ≥95% declines right, no-diacritics within 3 points, ≤5% hand-offs, median ≤450 characters. */
export const DEFAULT_GATE: Gate = { minAnswer: 90, minDecline: 95, maxDiacriticsGap: 3, maxHandoffRate: 5, maxMedianChars: 450 };

export interface GateCheck {
  readonly name: string;
  readonly value: number | null;
  readonly limit: string;
  readonly passed: boolean;
}

/** The gap between questions typed with and without diacritics, in points (positive: plain trails). */
export function diacriticsGap(report: Report): number | null {
  const plain = report.noDiacritics.answer_accuracy;
  const marked = report.withDiacritics.answer_accuracy;
  return plain === null || marked === null ? null : Math.round(10 * (marked - plain)) / 10;
}

/** Checks a report against the gate; a group without items of a kind passes that check. */
export function checkGate(report: Report, gate: Gate = DEFAULT_GATE): GateCheck[] {
  const atLeast = (name: string, value: number | null, min: number): GateCheck => ({ name, value, limit: `≥ ${min}%`, passed: value === null || value >= min });
  const atMost = (name: string, value: number | null, max: number, unit: string): GateCheck => ({ name, value, limit: `≤ ${max}${unit}`, passed: value === null || value <= max });
  return [
    atLeast("answered right", report.overall.answer_accuracy, gate.minAnswer),
    atLeast("declines right", report.overall.decline_accuracy, gate.minDecline),
    atMost("no-diacritics gap (marked − plain)", diacriticsGap(report), gate.maxDiacriticsGap, " points"),
    atMost("hand-offs on answerable questions", report.overall.handoff_rate, gate.maxHandoffRate, "%"),
    atMost("median answer length", report.overall.median_chars, gate.maxMedianChars, " characters"),
  ];
}

/** The floor a split must keep (its figures when the issue closed, minus 3 points). */
export interface TestFloor {
  readonly answer_accuracy: number;
  readonly decline_accuracy: number;
}

export function checkFloor(report: Report, floor: TestFloor): GateCheck[] {
  const atLeast = (name: string, value: number | null, min: number): GateCheck => ({ name, value, limit: `≥ ${min}%`, passed: value === null || value >= min });
  return [atLeast("answered right (floor)", report.overall.answer_accuracy, floor.answer_accuracy), atLeast("declines right (floor)", report.overall.decline_accuracy, floor.decline_accuracy)];
}

const fmtPct = (v: number | null) => (v === null ? "    – " : `${v.toFixed(1).padStart(5)}%`);
const fmtNum = (v: number | null) => (v === null ? "   –" : String(v).padStart(4));

/** The report as a fixed-width table: topics, origins, typing style, overall. */
export function formatTable(report: Report): string {
  const line = (name: string, s: Summary) =>
    `${name.padEnd(16)} ${String(s.questions).padStart(4)}  ${fmtPct(s.answer_accuracy)}  ${fmtPct(s.decline_accuracy)}  ${fmtPct(s.smalltalk_accuracy)}  ${fmtPct(s.handoff_rate)}  ${fmtPct(s.clarify_rate)}  ${fmtNum(s.median_chars)}  ${fmtNum(s.p95_chars)}  ${String(s.over_600).padStart(4)}`;
  const head = `${"nhóm / group".padEnd(16)} ${"n".padStart(4)}  ${"answer".padStart(6)}  ${"declin".padStart(6)}  ${"small".padStart(6)}  ${"handof".padStart(6)}  ${"clarif".padStart(6)}  ${"med".padStart(4)}  ${"p95".padStart(4)}  ${">600".padStart(4)}`;
  return [
    head,
    ...Object.entries(report.byTopic).map(([t, s]) => line(t, s)),
    ...Object.entries(report.byOrigin).map(([o, s]) => line(`(${o})`, s)),
    line("không dấu", report.noDiacritics),
    line("có dấu", report.withDiacritics),
    line("TỔNG / overall", report.overall),
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

/** Tallies the `diagnostics.llm` reasons of a run (answers without a model call count as "no_model_call"). */
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

/** The default and the language-model runs side by side, one row per topic ("trích" = the default). */
export function formatSideBySide(byDefault: Report, withLlm: Report): string {
  const pair = (a: number | null, b: number | null) => `${fmtPct(a)} ${fmtPct(b)}`;
  const empty = summarize([]);
  const line = (name: string, a: Summary, b: Summary) =>
    `${name.padEnd(16)} ${String(a.questions).padStart(4)}  ${pair(a.answer_accuracy, b.answer_accuracy)}  ${pair(a.decline_accuracy, b.decline_accuracy)}  ${pair(a.handoff_rate, b.handoff_rate)}`;
  const group = (label: string) => label.padStart(13);
  const modes = `${"trích".padStart(6)} ${"LLM".padStart(6)}`;
  return [
    `${"".padEnd(16)} ${"".padStart(4)}  ${group("answer")}  ${group("decline")}  ${group("handoff")}`,
    `${"topic".padEnd(16)} ${"n".padStart(4)}  ${modes}  ${modes}  ${modes}`,
    ...Object.entries(byDefault.byTopic).map(([t, s]) => line(t, s, withLlm.byTopic[t] ?? empty)),
    line("không dấu", byDefault.noDiacritics, withLlm.noDiacritics),
    line("có dấu", byDefault.withDiacritics, withLlm.withDiacritics),
    line("TỔNG / overall", byDefault.overall, withLlm.overall),
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
