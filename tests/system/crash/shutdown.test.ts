/**
 * Graceful shutdown of the real service process (src/main.ts): SIGTERM right after N Zalo events
 * were acknowledged, while a slow Zalo API (200 ms per send) still has their answers to take. The
 * jobs already running finish, the others stay in the database, and the process exits with code
 * 0; events arriving after SIGTERM are refused (503, which Zalo resends later, or connection
 * refused) and never answered; the database is closed cleanly (its WAL checkpointed and removed).
 * After a restart every acknowledged event has been answered, exactly once.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../../src/storage/sqlite-store.js";
import { testConfig } from "../../helpers/engine.js";
import { APP_ID, OA_SECRET, postSignedZalo, startFakeZalo, zaloTextEvent, type FakeZalo } from "../../helpers/fake-zalo.js";
import { startTs } from "../../helpers/spawn.js";

const N = 10;
let zalo: FakeZalo;
let env: Record<string, string>;
let dataDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await testConfig();
  cleanup = t.cleanup;
  dataDir = t.dataDir;
  zalo = await startFakeZalo({ access: ["shutdown-access"] });
  zalo.sendDelayMs = 200;
  env = {
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: t.config.knowledge.KNOWLEDGE_DIR,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ZALO_APP_ID: APP_ID,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "shutdown-access",
    ZALO_API_BASE_URL: zalo.url,
    ZALO_OAUTH_BASE_URL: zalo.url,
  };
});
afterAll(async () => {
  await zalo?.close();
  await cleanup?.();
});

let msg = 0;
function post(base: string, userId: string, text: string): Promise<Response> {
  return postSignedZalo(base, zaloTextEvent(userId, text, `shutdown-${++msg}`));
}

/** The answer (with its sources) and then the consent question of a first contact: complete. */
function answeredOnce(texts: readonly string[]): boolean {
  return texts.filter((t) => t.includes("Nguồn:") && t.includes("2G")).length === 1 && texts.filter((t) => t.includes("Gõ 1 để đồng ý lưu câu hỏi")).length === 1 && (texts.at(-1) ?? "").includes("Gõ 1 để đồng ý lưu câu hỏi");
}

describe("SIGTERM while acknowledged Zalo events are still being answered", () => {
  it("should finish running jobs, keep the others, refuse new events, close the database, exit 0, and answer the rest after a restart", async () => {
    const { child, match, output } = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/, 90_000);
    const base = `http://127.0.0.1:${match[1]}`;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

    const users = Array.from({ length: N }, (_, i) => String(7_000_000 + i));
    const acks = await Promise.all(users.map((u) => post(base, u, "Tắt sóng 2G là khi nào, điện thoại cũ còn dùng được không?")));
    expect(acks.map((r) => r.status)).toEqual(users.map(() => 200));
    // Each answer needs several sends at 200 ms each (8 per second at most): most are still to go.
    expect(zalo.delivered.length).toBeLessThan(N);

    child.kill("SIGTERM");
    await expect.poll(() => output(), { timeout: 5000, interval: 20 }).toContain("shutting down");

    // After SIGTERM: refused (503 with Retry-After, or the port is closed), and never answered.
    const late = await post(base, "7999999", "Tắt sóng 2G là khi nào?").then(
      (r) => r.status,
      () => "refused" as const,
    );
    expect([503, "refused"]).toContain(late);

    expect(await exited).toBe(0);
    expect(output()).toMatch(/"drained":true/);
    // Each resident got a complete answer (a job that started finished) or nothing yet (its job waits in the file).
    const answered = users.filter((u) => zalo.textsTo(u).length > 0);
    for (const u of answered) expect(answeredOnce(zalo.textsTo(u)), `answer to ${u}`).toBe(true);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(N);
    expect(zalo.textsTo("7999999")).toEqual([]);

    // The database was closed: the WAL was checkpointed into the file and removed.
    const file = path.join(dataDir, DATABASE_FILE);
    expect(existsSync(`${file}-wal`)).toBe(false);
    const count = (sql: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare(sql).get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(count("SELECT count(*) AS n FROM jobs")).toBe(N - answered.length);

    // The next start answers the rest; nobody is answered twice.
    zalo.sendDelayMs = 0;
    const second = await startTs("src/main.ts", env, /http:\/\/localhost:(\d+)/, 90_000);
    await expect.poll(() => users.filter((u) => zalo.textsTo(u).length > 0).length, { timeout: 30_000, interval: 50 }).toBe(N);
    const stopped = new Promise<number | null>((resolve) => second.child.on("exit", (code) => resolve(code)));
    await expect.poll(() => count("SELECT count(*) AS n FROM jobs"), { timeout: 30_000, interval: 50 }).toBe(0);
    second.child.kill("SIGTERM");
    expect(await stopped).toBe(0);
    for (const u of users) expect(answeredOnce(zalo.textsTo(u)), `answer to ${u}`).toBe(true);
    expect(zalo.textsTo("7999999")).toEqual([]);
    expect(count("SELECT count(*) AS n FROM messages WHERE channel = 'zalo'")).toBe(N);
  }, 240_000);
});
