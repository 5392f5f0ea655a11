import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../helpers/engine.js";
import { runTs } from "../helpers/spawn.js";

let env: Record<string, string>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await testConfig();
  cleanup = t.cleanup;
  env = { DATA_DIR: t.dataDir, KNOWLEDGE_DIR: t.config.knowledge.KNOWLEDGE_DIR, LOG_LEVEL: "silent" };
});
afterAll(async () => cleanup());

describe("npm run ask", () => {
  it("should print exactly one JSON object with --json, even when the index is built first", async () => {
    const { code, stdout, stderr } = await runTs("src/cli/ask.ts", ["--json", "xa cong hoa ke hoach toc do bang rong di dong bao nhieu"], env);
    expect(code).toBe(0);
    expect(stderr).toContain("Lập chỉ mục vectơ");
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(["answer", "commune", "confidence", "kind", "lang", "ms", "sources"]);
    expect(json.answer).toContain("70");
    expect(["faq", "extractive"]).toContain(json.kind);
  });

  it("should refuse lottery questions", async () => {
    const { stdout } = await runTs("src/cli/ask.ts", ["--json", "kq xsmb hom nay ve con gi"], env);
    expect((JSON.parse(stdout) as { kind: string }).kind).toBe("refusal");
  });

  it("should print text with numbered sources by default", async () => {
    const { code, stdout } = await runTs("src/cli/ask.ts", ["Xã Phú Tân phải báo cáo kết quả trước ngày nào?"], env);
    expect(code).toBe(0);
    expect(stdout).toContain("10/11");
    expect(stdout).toMatch(/Nguồn:\n\[1\] Kế hoạch phát triển hạ tầng số trên địa bàn xã Phú Tân/);
  });

  it("should answer --jsonl line by line, in order, with errors in place", async () => {
    const input = [
      "ty le dung chung tram bts cua xa cong hoa",
      JSON.stringify({ question: "bao cao truoc ngay nao", commune: "phu-tan" }),
      JSON.stringify({ question: "" }),
      "{not json",
      "kq xsmb",
    ].join("\n");
    const { code, stdout } = await runTs("src/cli/ask.ts", ["--jsonl"], env, input);
    expect(code).toBe(0);
    const rows = stdout.trim().split("\n").map((l) => JSON.parse(l) as { answer?: string; kind?: string; error?: { code: string } });
    expect(rows).toHaveLength(5);
    expect(rows[0]?.answer).toContain("30%");
    expect(rows[1]?.answer).toContain("10/11");
    expect(rows[2]?.error?.code).toBe("QUESTION_EMPTY");
    expect(rows[3]?.error?.code).toBe("INVALID_BODY");
    expect(rows[4]?.kind).toBe("refusal");
  });

  it("should explain usage when called without a question", async () => {
    const { code, stderr } = await runTs("src/cli/ask.ts", [], env);
    expect(code).toBe(2);
    expect(stderr).toContain("Cách dùng");
  });
});
