import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import mammoth from "mammoth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, testConfig } from "../helpers/engine.js";
import { runTs } from "../helpers/spawn.js";

let env: Record<string, string>;
let dataDir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await testConfig();
  cleanup = t.cleanup;
  dataDir = t.dataDir;
  env = { DATA_DIR: t.dataDir, KNOWLEDGE_DIR: t.config.knowledge.KNOWLEDGE_DIR, LOG_LEVEL: "silent" };
});
afterAll(async () => cleanup());

/** Runs an npm script the way staff do (`npm run -s broadcast -- …`). */
function npmRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", "broadcast", "--", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run broadcast", () => {
  it("should print a three-minute script on a topic typed without diacritics, sources after KHÔNG ĐỌC", async () => {
    const { code, stdout } = await npmRun(["--topic", "tat song 2g", "--minutes", "3"]);
    expect(code).toBe(0);
    const [spoken = "", notRead = ""] = stdout.split("KHÔNG ĐỌC");
    expect(spoken).toMatch(/^Tắt sóng hai G/);
    expect(spoken).toContain("Kính thưa bà con nhân dân xã Minh Tân");
    expect(spoken).not.toMatch(/\d/);
    expect(notRead).toMatch(/Thời lượng ước tính (2 phút 3\d|2 phút 4\d|2 phút 5\d|3 phút( \d+ giây)?)/);
    expect(notRead).toContain("[1] ");
    expect(notRead).toContain("Lộ trình tắt sóng 2G");
  });

  it("should write a valid .docx with --format docx --out", async () => {
    const out = path.join(dataDir, "ban-tin.docx");
    const { code, stderr } = await runTs("src/cli/broadcast.ts", ["--topic", "lừa đảo trực tuyến", "--minutes", "2", "--commune", "phu-tan", "--format", "docx", "--out", out], env);
    expect(code).toBe(0);
    expect(stderr).toContain("Đã ghi bản tin vào");
    const buffer = await readFile(out);
    expect(buffer.subarray(0, 2).toString()).toBe("PK");
    const { value } = await mammoth.extractRawText({ buffer });
    expect(value).toContain("Cảnh giác với lừa đảo trực tuyến");
    expect(value).toContain("Kính thưa bà con nhân dân xã Tân Phú Đông");
    expect(value).toContain("KHÔNG ĐỌC");
  });

  it("should write Markdown with --format md", async () => {
    const { code, stdout } = await runTs("src/cli/broadcast.ts", ["--topic", "vneid muc 2", "--minutes", "1", "--format", "md"], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Tài khoản định danh điện tử VNeID mức hai\n/);
    expect(stdout).toContain("## KHÔNG ĐỌC");
  });

  it("should refuse a topic the knowledge does not cover, with exit code 1 and no script", async () => {
    const { code, stdout, stderr } = await runTs("src/cli/broadcast.ts", ["--topic", "giá vàng hôm nay", "--minutes", "3"], env);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("chưa có tài liệu về chủ đề «giá vàng hôm nay»");
  });

  it.each([
    [["--minutes", "3"], "Thiếu --topic"],
    [["--topic", "tat song 2g", "--format", "pdf"], "--format"],
    [["--topic", "tat song 2g", "--format", "docx"], "--out"],
    [["--topic", "tat song 2g", "--minutes", "20"], "1 đến 15 phút"],
  ])("should refuse bad arguments %j with exit code 2", async (args, message) => {
    const { code, stderr } = await runTs("src/cli/broadcast.ts", args, env);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
