import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../helpers/engine.js";
import { startTs } from "../helpers/spawn.js";

let env: Record<string, string>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await testConfig();
  cleanup = t.cleanup;
  env = { DATA_DIR: t.dataDir, KNOWLEDGE_DIR: t.config.knowledge.KNOWLEDGE_DIR, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" };
});
afterAll(async () => cleanup());

describe("the service process", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("should serve requests and stop cleanly on %s", async (signal) => {
    const { child, match, output } = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/);
    const base = `http://127.0.0.1:${match[1]}`;
    const res = await fetch(`${base}/api/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "ke hoach xa phu tan toc do bang rong co dinh bao nhieu" }) });
    expect(((await res.json()) as { answer: string }).answer).toContain("150");
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(output()).toContain("shutting down");
    // The question text never reaches the logs.
    expect(output()).not.toContain("toc do bang rong");
  });

  it("should refuse to start with an invalid configuration, naming the key", async () => {
    await expect(startTs("src/main.ts", { ...env, PORT: "abc" }, /never/)).rejects.toThrow(/PORT/);
  });
});
