import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EvalItemSchema } from "../../src/cli/eval-score.js";
import { REPO_ROOT } from "../helpers/engine.js";

const read = (name: string) => readFileSync(path.join(REPO_ROOT, "eval", name), "utf8");
const items = (name: string) => read(name).split("\n").filter((l) => l.trim()).map((l) => EvalItemSchema.parse(JSON.parse(l)));

describe("the evaluation set", () => {
  it("should keep the test split frozen (its hash is recorded when it was made)", () => {
    const recorded = read("test.sha256").split(/\s+/)[0];
    expect(createHash("sha256").update(read("test.jsonl")).digest("hex")).toBe(recorded);
  });

  it("should hold at least 300 questions, 40 of them must-decline, in two disjoint splits", () => {
    const dev = items("dev.jsonl");
    const test = items("test.jsonl");
    expect(dev.length + test.length).toBeGreaterThanOrEqual(300);
    expect([...dev, ...test].filter((i) => i.expect === "decline").length).toBeGreaterThanOrEqual(40);
    const devIds = new Set(dev.map((i) => i.id));
    expect(test.filter((i) => devIds.has(i.id))).toEqual([]);
    const devQuestions = new Set(dev.map((i) => i.question.normalize("NFC").toLowerCase()));
    expect(test.filter((i) => devQuestions.has(i.question.normalize("NFC").toLowerCase()))).toEqual([]);
  });

  it("should keep questions collected after the split (dev-late) out of the test split", () => {
    const late = existsSync(path.join(REPO_ROOT, "eval", "dev-late.jsonl")) ? items("dev-late.jsonl") : [];
    const testQuestions = new Set(items("test.jsonl").map((i) => i.question.normalize("NFC").trim().toLowerCase()));
    const testIds = new Set(items("test.jsonl").map((i) => i.id));
    expect(late.filter((i) => testIds.has(i.id) || testQuestions.has(i.question.normalize("NFC").trim().toLowerCase()))).toEqual([]);
  });

  it("should give every published question its source", () => {
    for (const item of [...items("dev.jsonl"), ...items("test.jsonl")]) {
      if (item.origin === "real") expect(item.source, item.id).toMatch(/^https?:\/\//);
    }
  });
});
