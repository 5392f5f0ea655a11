/**
 * `npm start` with bad settings stops at once with a non-zero code, naming the bad keys and never
 * printing their values (they may be secrets).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWLEDGE_DIR, REPO_ROOT } from "../../helpers/engine.js";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-start-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function npmStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["start"], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("npm start with an invalid configuration", () => {
  it("should exit non-zero naming PORT and every other bad key, without their values", async () => {
    const badPort = "not-a-port-73915";
    const badToken = "leaky-secret-token-value-8841";
    const badLimit = "sixty-per-minute-553";
    const { code, output } = await npmStart({
      DATA_DIR: dataDir,
      KNOWLEDGE_DIR,
      LOG_LEVEL: "info",
      PORT: badPort,
      TELEGRAM_BOT_TOKEN: badToken,
      API_RATE_LIMIT_PER_MINUTE: badLimit,
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toContain("Không khởi động được");
    for (const key of ["PORT", "TELEGRAM_BOT_TOKEN", "API_RATE_LIMIT_PER_MINUTE"]) expect(output).toContain(key);
    for (const value of [badPort, badToken, badLimit]) expect(output).not.toContain(value);
    // It stopped before listening or writing anything.
    expect(output).not.toContain("đang chạy");
  });

  it("should refuse a Telegram webhook secret shorter than 16 characters, naming the key", async () => {
    const shortSecret = "ngan_qua_9";
    const { code, output } = await npmStart({
      DATA_DIR: dataDir,
      KNOWLEDGE_DIR,
      PORT: "0",
      TELEGRAM_BOT_TOKEN: "123456:TEST-token-not-real-aaaaaaaaaaaa",
      TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram",
      TELEGRAM_WEBHOOK_SECRET: shortSecret,
    });
    expect(code).not.toBe(0);
    expect(output).toContain("Không khởi động được");
    expect(output).toMatch(/TELEGRAM_WEBHOOK_SECRET: at least 16 characters/);
    expect(output).not.toContain(shortSecret);
  });

  it("should name TRUST_PROXY when it is not a list of addresses", async () => {
    const { code, output } = await npmStart({ DATA_DIR: dataDir, KNOWLEDGE_DIR, PORT: "0", TRUST_PROXY: "127.0.0.1,proxy-o-dau-7781" });
    expect(code).not.toBe(0);
    expect(output).toContain("TRUST_PROXY");
    expect(output).not.toContain("proxy-o-dau-7781");
  });
});
