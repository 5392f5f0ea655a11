import { describe, expect, it } from "vitest";
import { buildReport, checkFloor, checkGate, diacriticsGap, formatTable, type Outcome } from "../../src/cli/eval-report.js";

let n = 0;
function row(topic: string, correct: boolean, opts: Partial<Outcome> = {}): Outcome {
  n += 1;
  return {
    id: `q${n}`,
    topic,
    expect: "answer",
    origin: "written",
    noDiacritics: false,
    correct,
    kind: correct ? "faq" : "extractive",
    mentions: correct,
    forbidden: null,
    onPoint: true,
    languageOk: true,
    chars: 300,
    hit1: null,
    hit3: null,
    answer: "",
    sources: [],
    ...opts,
  };
}
const many = (count: number, make: () => Outcome) => Array.from({ length: count }, make);

describe("the evaluation report", () => {
  it("should count answers, declines, small talk, hand-offs and lengths separately", () => {
    const report = buildReport([
      row("plan", true, { chars: 100 }),
      row("plan", false, { kind: "handoff", chars: 200 }),
      row("plan", true, { chars: 700 }),
      row("decline", true, { expect: "decline", kind: "refusal" }),
      row("decline", false, { expect: "decline", kind: "faq" }),
      row("smalltalk", true, { expect: "smalltalk", kind: "smalltalk" }),
    ]);
    expect(report.byTopic.plan).toMatchObject({ questions: 3, answer_accuracy: 66.7, decline_accuracy: null, handoff_rate: 33.3, median_chars: 200, over_600: 1 });
    expect(report.byTopic.decline).toMatchObject({ answer_accuracy: null, decline_accuracy: 50 });
    expect(report.overall).toMatchObject({ questions: 6, answer_accuracy: 66.7, decline_accuracy: 50, smalltalk_accuracy: 100 });
    expect(formatTable(report)).toMatch(/^plan\s+3\s+66\.7%\s+–\s+–\s+33\.3%\s+0\.0%\s+200\s+700\s+1$/m);
  });

  it("should keep English questions out of the diacritics comparison", () => {
    const report = buildReport([row("2g", true, { noDiacritics: null }), row("2g", false, { noDiacritics: true }), row("2g", true, { noDiacritics: false })]);
    expect(report.noDiacritics.questions).toBe(1);
    expect(report.withDiacritics.questions).toBe(1);
    expect(diacriticsGap(report)).toBe(100);
  });
});

describe("the quality gate", () => {
  const passing = () => [...many(19, () => row("2g", true)), row("2g", false), ...many(10, () => row("skills", true, { noDiacritics: true })), ...many(20, () => row("decline", true, { expect: "decline", kind: "refusal" }))];

  it("should pass a run that meets every threshold", () => {
    expect(checkGate(buildReport(passing())).every((c) => c.passed)).toBe(true);
  });

  it("should fail when answers fall below 90%", () => {
    const checks = checkGate(buildReport([...passing(), ...many(3, () => row("2g", false))]));
    expect(checks.find((c) => c.name === "answered right")).toMatchObject({ value: 87.9, passed: false });
  });

  it("should fail when declines fall below 95%", () => {
    const checks = checkGate(buildReport([...passing(), ...many(2, () => row("decline", false, { expect: "decline" }))]));
    expect(checks.find((c) => c.name === "declines right")).toMatchObject({ value: 90.9, passed: false });
  });

  it("should fail when more than 5% of answerable questions are handed off", () => {
    const rows = [...many(54, () => row("2g", true)), ...many(3, () => row("2g", false, { kind: "handoff" })), ...many(3, () => row("2g", true))];
    expect(checkGate(buildReport(rows)).find((c) => c.name.startsWith("hand-offs"))).toMatchObject({ value: 5, passed: true });
    const more = [...rows, row("2g", false, { kind: "handoff" })];
    expect(checkGate(buildReport(more)).find((c) => c.name.startsWith("hand-offs"))).toMatchObject({ value: 6.6, passed: false });
  });

  it("should fail when the median answer is longer than 450 characters", () => {
    const rows = many(10, () => row("2g", true, { chars: 451 }));
    expect(checkGate(buildReport(rows)).find((c) => c.name === "median answer length")).toMatchObject({ value: 451, passed: false });
  });

  it("should fail when questions typed without diacritics trail the rest by more than 3 points", () => {
    const rows = [...many(50, () => row("plan", true)), ...many(46, () => row("plan", true, { noDiacritics: true })), ...many(4, () => row("plan", false, { noDiacritics: true }))];
    const gap = checkGate(buildReport(rows)).find((c) => c.name.startsWith("no-diacritics"));
    expect(gap).toMatchObject({ value: 8, passed: false });
  });

  it("should hold the test split to its floor", () => {
    const report = buildReport([...many(8, () => row("2g", true)), ...many(2, () => row("2g", false))]);
    expect(checkFloor(report, { answer_accuracy: 80, decline_accuracy: 90 }).every((c) => c.passed)).toBe(true);
    expect(checkFloor(report, { answer_accuracy: 81, decline_accuracy: 90 })[0]).toMatchObject({ name: "answered right (floor)", value: 80, passed: false });
  });
});
