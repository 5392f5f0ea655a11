/**
 * Runs the evaluation sets through the same code path as `npm run ask` and reports each one:
 * dev (tune on it), test (frozen: report only) and the old set (the one the previous lexicon was
 * tuned on; reference only). See eval-score.ts for what counts as right.
 *   npm run eval [-- --set dev|test|old|all] [--verbose] [--show-test-failures] [--no-gate]
 *                [--mode default|llm|both] [--file other.jsonl]
 * Gates (exit 1): dev and test at their floors (eval/floors.json: figures when issue 13 closed, minus
 * 3 points); on dev also every product level (≥ 90% answered, ≥ 95% declines, gap, hand-offs, length).
 * With a language model configured, both modes run and are reported side by side; the gates
 * always apply to the default mode. Writes eval/results/latest.json.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { parseAskRequest } from "../core/answering/request.js";
import { buildEngine, engineSettings } from "../app/engine.js";
import type { AnswerRequest, AnswerResult } from "../core/answering/answer-question.js";
import { buildReport, checkFloor, checkGate, DEFAULT_GATE, diacriticsGap, formatLlmUsage, formatSideBySide, formatTable, summarizeLlm, type GateCheck, type Report, type TestFloor } from "./eval-report.js";
import { EvalItemSchema, scoreItem, type EvalItem, type Outcome } from "./eval-score.js";
import { stderrProgress } from "./progress.js";

const SETS = {
  // dev-late.jsonl: questions collected after the split (eval/split.mjs --late); dev only.
  dev: { file: "eval/dev.jsonl", extra: "eval/dev-late.jsonl", origin: "written" as const, label: "DEV (tune on this split)" },
  test: { file: "eval/test.jsonl", origin: "written" as const, label: "TEST (frozen; report only)" },
  old: { file: "eval/old-set.jsonl", origin: "old" as const, label: "OLD SET (the set the old lexicon was tuned on; reference only)" },
};
type SetName = keyof typeof SETS;
/** The floors each split must keep: its figures when issue 13 closed, minus 3 points. */
const FLOOR_FILE = "eval/floors.json";

async function readItems(file: string): Promise<EvalItem[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return EvalItemSchema.parse(JSON.parse(l));
      } catch (err) {
        throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
      }
    });
}

/** Items of a file that may not exist yet (none when it does not). */
async function readOptionalItems(file: string): Promise<EvalItem[]> {
  return existsSync(file) ? readItems(file) : [];
}

async function readFloors(): Promise<{ dev?: TestFloor; test?: TestFloor }> {
  try {
    return JSON.parse(await readFile(FLOOR_FILE, "utf8")) as { dev?: TestFloor; test?: TestFloor };
  } catch {
    return {};
  }
}

/** The dev split is held to every product level (the issue's acceptance); test keeps a floor and reports the levels. */
const HARD_ON_DEV = new Set(["answered right", "declines right", "no-diacritics gap (marked − plain)", "hand-offs on answerable questions", "median answer length"]);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      set: { type: "string", default: "all" },
      file: { type: "string" },
      verbose: { type: "boolean", short: "v", default: false },
      "show-test-failures": { type: "boolean", default: false },
      out: { type: "string", default: "eval/results/latest.json" },
      "no-gate": { type: "boolean", default: false },
      mode: { type: "string" },
    },
  });
  const names: SetName[] = values.file ? [] : values.set === "all" ? ["dev", "test", "old"] : [values.set as SetName];
  if (names.some((n) => !(n in SETS))) throw new Error("--set: dev, test, old or all");

  const config = loadConfig();
  const mode = values.mode ?? (config.llm.LLM_PROVIDER === "none" ? "default" : "both");
  if (!["default", "llm", "both"].includes(mode)) throw new Error("--mode: default, llm or both");
  if (mode !== "default" && config.llm.LLM_PROVIDER === "none") throw new Error("--mode llm/both needs a language model: set LLM_PROVIDER (see README)");
  const engine = await buildEngine(engineSettings(config), { onProgress: stderrProgress() });

  async function run(items: readonly EvalItem[], origin: Outcome["origin"], answer: (r: AnswerRequest) => Promise<AnswerResult>) {
    const rows: Outcome[] = [];
    const results: AnswerResult[] = [];
    for (const item of items) {
      // The question text names its commune when it has one, as a resident's would.
      const request = parseAskRequest({ question: item.question });
      const result = await answer({ question: request.question });
      results.push(result);
      rows.push(scoreItem(item, result, origin));
    }
    return { rows, results };
  }

  const printFailures = (label: string, rows: readonly Outcome[], items: readonly EvalItem[]) => {
    const failed = rows.filter((r) => !r.correct);
    if (!failed.length) return;
    process.stdout.write(`\n${label} (${failed.length}):\n`);
    for (const f of failed) {
      const item = items.find((x) => x.id === f.id) as EvalItem;
      const why = [f.expect !== "answer" ? `expected ${f.expect}` : "", !f.mentions ? "missing facts" : "", f.forbidden ? `says "${f.forbidden}"` : "", !f.onPoint ? "first sentence off point" : "", !f.languageOk ? "not in English" : ""].filter(Boolean).join(", ");
      process.stdout.write(`- ${f.id} [${f.topic}, ${f.kind}${why ? `; ${why}` : ""}] ${item.question.normalize("NFC").replace(/\s+/g, " ").slice(0, 160)}\n`);
      if (values.verbose) process.stdout.write(`    → ${f.answer.replace(/\n/g, "\n      ")}\n    nguồn: ${f.sources.join(" | ")}\n`);
    }
  };

  const checksLine = (c: GateCheck) => `${c.passed ? "✓" : "✗"} ${c.name}: ${c.value === null ? "–" : c.value} (${c.limit})\n`;
  const output: Record<string, unknown> = { ranAt: new Date().toISOString(), mode };
  const failedGates: string[] = [];
  const floors = await readFloors();
  const targets = values.file ? [{ name: "file" as const, file: values.file, origin: "written" as const, label: values.file }] : names.map((n) => ({ name: n, ...SETS[n] }));

  for (const target of targets) {
    const extra = "extra" in target ? await readOptionalItems(target.extra) : [];
    const items = [...(await readItems(target.file)), ...extra];
    const defaultRun = await run(items, target.origin, (r) => engine.answerDefault(r));
    const report: Report = buildReport(defaultRun.rows);
    process.stdout.write(`\n== ${target.label}: ${items.length} câu / items\n${formatTable(report)}\n`);
    process.stdout.write(`no-diacritics gap: ${diacriticsGap(report) ?? "–"} points; first sentence off point: ${report.overall.off_point}\n`);
    const section: Record<string, unknown> = { file: target.file, ...report, rows: defaultRun.rows };

    if (mode !== "default") {
      const llmRun = await run(items, target.origin, (r) => engine.answer(r));
      const llmReport = buildReport(llmRun.rows);
      const usage = summarizeLlm(llmRun.results.map((r) => r.diagnostics.llm));
      const model = engine.llm?.model.id ?? config.llm.LLM_PROVIDER;
      process.stdout.write(`\nMặc định (trích) và mô hình ngôn ngữ (LLM) / default vs language model:\n${formatSideBySide(report, llmReport)}\n${formatLlmUsage(model, usage)}\n`);
      section.llm = { model, ...llmReport, usage, rows: llmRun.rows };
    }

    if (target.name === "dev" || target.name === "file") {
      printFailures("Sai / failures (dev)", defaultRun.rows, items);
    }
    if (target.name === "test" && values["show-test-failures"]) printFailures("Sai / failures (test — report only, never tune on these)", defaultRun.rows, items);
    const levels = checkGate(report, DEFAULT_GATE);
    const floor = target.name === "dev" || target.name === "test" ? floors[target.name] : undefined;
    const floorChecks = floor ? checkFloor(report, floor) : [];
    process.stdout.write(`\nMức sản phẩm / product levels (${target.name === "dev" ? "gated on dev" : "report only"}):\n${levels.map(checksLine).join("")}`);
    if (floorChecks.length) process.stdout.write(`Sàn / floor (${FLOOR_FILE}, figures at closing − 3 points; gated):\n${floorChecks.map(checksLine).join("")}`);
    section.levels = levels;
    section.floor = floor ? { floor, checks: floorChecks } : null;
    if (target.name === "dev") failedGates.push(...levels.filter((c) => HARD_ON_DEV.has(c.name) && !c.passed).map((c) => `dev: ${c.name}`));
    if (target.name === "dev" || target.name === "test") failedGates.push(...floorChecks.filter((c) => !c.passed).map((c) => `${target.name}: ${c.name}`));
    output[target.name] = section;
  }

  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify(output, null, 2));
  const gated = !values["no-gate"] && !values.file;
  if (gated && failedGates.length) {
    process.stderr.write(`Đánh giá không đạt ngưỡng / evaluation below the gate: ${failedGates.join("; ")}\n`);
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
