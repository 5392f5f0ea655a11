import { mkdtemp, readFile, rm, cp, writeFile, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { createPromptSet, loadPrompts, PROMPT_NAMES } from "../../src/llm/prompts.js";
import { REPO_ROOT } from "../helpers/engine.js";

const PROMPTS = path.join(REPO_ROOT, "prompts");

async function texts(): Promise<Record<(typeof PROMPT_NAMES)[number], string>> {
  const out = {} as Record<(typeof PROMPT_NAMES)[number], string>;
  for (const name of PROMPT_NAMES) out[name] = await readFile(path.join(PROMPTS, `${name}.md`), "utf8");
  return out;
}

describe("the prompt files", () => {
  it("should load from prompts/, in Vietnamese, with every placeholder filled and comments removed", async () => {
    const prompts = await loadPrompts(PROMPTS);
    const system = prompts.render("system", { commune: "xã Phú Tân (xã Phú Tân, huyện Tân Phú Đông, tỉnh Tiền Giang)", today: "22/11/2026" });
    expect(system).toContain("Xã đang được hỏi: xã Phú Tân");
    expect(system).toContain("Hôm nay là ngày 22/11/2026");
    expect(system).toContain("[1]");
    expect(system).not.toMatch(/\{\{|<!--/);
    const answer = prompts.render("answer", { context: "[1] A › B (1/1/2026)\nNội dung.", question: "Hỏi gì?" });
    expect(answer).toContain("<tai_lieu>\n[1] A › B (1/1/2026)\nNội dung.\n</tai_lieu>");
    expect(answer).toContain("<cau_hoi>\nHỏi gì?\n</cau_hoi>");
    expect(prompts.render("retry", { violation: "«600.000»" })).toContain("«600.000»");
    expect(prompts.render("rewrite", { history: "câu trước", question: "còn xã Phú Tân thì sao?" })).toContain("<lich_su>\ncâu trước\n</lich_su>");
    const broadcast = prompts.render("broadcast", { commune: "xã Minh Tân", today: "1/1/2026", topic: "tắt sóng 2G", words: "120", audience: "người cao tuổi", sources: "[1] …" });
    expect(broadcast).toContain("khoảng 120 tiếng");
  });

  it("should fill placeholders in one pass (a value containing {{…}} stays as it is)", async () => {
    const prompts = await loadPrompts(PROMPTS);
    expect(prompts.render("retry", { violation: "{{question}}" })).toContain("{{question}}");
  });

  it("should refuse a prompt with a missing or unknown placeholder, naming the file and the placeholder", async () => {
    const t = await texts();
    const missing = () => createPromptSet({ ...t, answer: t.answer.replaceAll("{{context}}", "") });
    expect(missing).toThrow(AppError);
    expect(missing).toThrow(/prompts\/answer\.md: missing placeholder \{\{context\}\}/);
    expect(() => createPromptSet({ ...t, system: `${t.system}\n{{xa}}` })).toThrow(/prompts\/system\.md: unknown placeholder \{\{xa\}\}/);
    // A placeholder mentioned only in a comment does not count.
    expect(() => createPromptSet({ ...t, retry: "<!-- {{violation}} -->\nViết lại." })).toThrow(/retry\.md: missing placeholder/);
  });

  it("should refuse to start when a prompt file is missing (CONFIG_INVALID naming it)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-prompts-"));
    try {
      await cp(PROMPTS, dir, { recursive: true });
      await unlink(path.join(dir, "rewrite.md"));
      await expect(loadPrompts(dir)).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining("rewrite.md") });
      await writeFile(path.join(dir, "rewrite.md"), "");
      await expect(loadPrompts(dir)).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining("rewrite.md is empty") });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
