import { describe, expect, it } from "vitest";
import { buildReport, checkGate, formatTable, type Outcome } from "../../src/cli/eval-report.js";

let n = 0;
function row(topic: string, correct: boolean, opts: Partial<Outcome> = {}): Outcome {
  n += 1;
  return { id: `q${n}`, topic, answerable: true, noDiacritics: false, correct, kind: correct ? "extractive" : "handoff", hit1: null, hit3: null, answer: "", sources: [], ...opts };
}
const many = (count: number, make: () => Outcome) => Array.from({ length: count }, make);

describe("the evaluation report", () => {
  it("should count answers, refusals and source hits separately", () => {
    const report = buildReport([
      row("plan", true, { hit1: true, hit3: true }),
      row("plan", false, { hit1: false, hit3: true }),
      row("plan", true),
      row("refuse", true, { answerable: false, kind: "refusal" }),
      row("refuse", false, { answerable: false }),
    ]);
    expect(report.byTopic.plan).toEqual({ questions: 3, answer_accuracy: 66.7, refusal_accuracy: null, hit_at_1: 50, hit_at_3: 100 });
    expect(report.byTopic.refuse).toMatchObject({ answer_accuracy: null, refusal_accuracy: 50 });
    expect(report.overall).toMatchObject({ questions: 5, answer_accuracy: 66.7, refusal_accuracy: 50 });
    expect(formatTable(report)).toMatch(/^plan\s+3\s+66\.7%\s+–\s+50\.0%\s+100\.0%$/m);
  });
});

describe("the quality gate", () => {
  const passing = () => [
    ...many(19, () => row("2g", true)),
    row("2g", false),
    ...many(10, () => row("skills", true, { noDiacritics: true })),
    ...many(20, () => row("refuse", true, { answerable: false, kind: "refusal" })),
  ];

  it("should pass a run that meets every threshold", () => {
    expect(checkGate(buildReport(passing())).every((c) => c.passed)).toBe(true);
  });

  it("should fail when overall answers fall below 90%", () => {
    const checks = checkGate(buildReport([...passing(), ...many(3, () => row("2g", false))]));
    expect(checks.find((c) => c.name === "answer accuracy, overall")).toMatchObject({ value: 87.9, passed: false });
  });

  it("should fail when refusals fall below 95%", () => {
    const checks = checkGate(buildReport([...passing(), ...many(2, () => row("refuse", false, { answerable: false }))]));
    expect(checks.find((c) => c.name === "refusal accuracy, overall")).toMatchObject({ value: 90.9, passed: false });
  });

  it("should fail a single weak topic even when the overall figure passes", () => {
    const rows = [...passing(), ...many(8, () => row("subsidy", true)), ...many(2, () => row("subsidy", false))];
    const failed = checkGate(buildReport(rows)).filter((c) => !c.passed);
    expect(failed.map((c) => c.name)).toEqual(["answer accuracy, subsidy"]);
  });

  it("should fail when questions typed without diacritics trail the rest by more than 3 points", () => {
    const rows = [...many(50, () => row("plan", true)), ...many(46, () => row("plan", true, { noDiacritics: true })), ...many(4, () => row("plan", false, { noDiacritics: true }))];
    const gap = checkGate(buildReport(rows)).find((c) => c.name.startsWith("no-diacritics"));
    expect(gap).toMatchObject({ value: 8, passed: false });
  });
});
