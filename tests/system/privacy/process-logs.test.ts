/**
 * The logs of a whole run of the service process (`src/main.ts`, the real logger on stderr) at
 * LOG_LEVEL=trace: residents on Telegram, Zalo and the web chat send the privacy corpus, staff
 * answer through the console, and the process is stopped with SIGTERM. Its whole output, and
 * its database, must hold none of the corpus numbers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedIn } from "../../channels/web/console/helpers.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { APP_ID, APP_SECRET, OA_SECRET, startFakeZalo, type FakeZalo } from "../../helpers/fake-zalo.js";
import { startTs } from "../../helpers/spawn.js";
import { createDriver, TELEGRAM_SECRET, TELEGRAM_WEBHOOK_URL } from "./conversation.js";
import { SENSITIVE, leakedNumbers } from "./corpus.js";
import { BOT_TOKEN, leaksInDatabase, startFakeBotApi, storedValues, type FakeBotApi } from "./helpers.js";

const CONSOLE_PASSWORD = "mat-khau-quyen-rieng-tu-2";

let root: string;
let api: FakeBotApi;
let zalo: FakeZalo;
let output = "";
let exitCode: number | null = null;
let answered = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tro-ly-so-privacy-proc-"));
  api = await startFakeBotApi();
  zalo = await startFakeZalo({ access: ["env-access"], refresh: ["env-refresh"] });
  const { child, match, output: read } = await startTs(
    "src/main.ts",
    {
      KNOWLEDGE_DIR,
      DATA_DIR: path.join(root, "data"),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "trace",
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_WEBHOOK_URL,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      // Each message answered within its own update (no joining): questions for staff are queued before the console reads them.
      TELEGRAM_JOIN_QUIET_MS: "0",
      ZALO_APP_ID: APP_ID,
      ZALO_APP_SECRET_KEY: APP_SECRET,
      ZALO_OA_SECRET_KEY: OA_SECRET,
      ZALO_ACCESS_TOKEN: "env-access",
      ZALO_REFRESH_TOKEN: "env-refresh",
      ZALO_API_BASE_URL: zalo.url,
      ZALO_OAUTH_BASE_URL: zalo.url,
      CONSOLE_PASSWORD,
      CONSOLE_LOGIN_MAX_PER_IP: "1000",
      CONSOLE_LOGIN_MAX_PER_USER: "100",
    },
    /http:\/\/localhost:(\d+)/,
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${match[1]}`;
    // The webhook is registered in the background once the server listens.
    for (let i = 0; i < 100 && !api.calls.some((c) => c.method === "setWebhook"); i++) await new Promise((r) => setTimeout(r, 20));
    const drive = createDriver(base, api);
    for (const [i, s] of SENSITIVE.entries()) {
      expect(await drive.web(s.text)).toBe(200);
      const a = 810_000 + i;
      await drive.telegramText(a, "/start");
      await drive.telegramButton(a, "consent:yes");
      if (i % 15 === 4) api.blocked.add(a);
      expect(await drive.telegramText(a, s.text)).toBe(200);
      const b = 820_000 + i;
      await drive.telegramText(b, "/start");
      await drive.telegramButton(b, "consent:yes");
      await drive.telegramButton(b, "menu:staff");
      expect(await drive.telegramText(b, `Nhờ cán bộ gọi lại: ${s.text}`)).toBe(200);
      if (i % 10 === 0) api.blocked.add(b);
    }
    for (let u = 0; u < 2; u++) {
      const user = `zp-${u}`;
      await drive.zalo(user, null);
      await drive.zalo(user, "1");
      for (const s of SENSITIVE.slice(u * 5, u * 5 + 5)) expect(await drive.zalo(user, s.text)).toBe(200);
    }
    // Staff answer every waiting question through the console's JSON API, quoting the numbers back.
    const { client, csrf } = await signedIn(base, "admin", CONSOLE_PASSWORD);
    const { items } = (await (await client.get("/console/api/queue?status=open")).json()) as { items: Array<{ id: number }> };
    for (const [n, item] of items.entries()) {
      const s = SENSITIVE[n % SENSITIVE.length] as (typeof SENSITIVE)[number];
      const res = await client.postJson(`/console/api/queue/${item.id}/answer`, { answer: `Dạ, cán bộ xã đã ghi nhận: ${s.text}` }, { "x-csrf-token": csrf });
      if (res.status === 200) answered++;
    }
    for (const s of SENSITIVE.slice(0, 5)) await client.postJson("/console/api/ask", { question: s.text }, { "x-csrf-token": csrf });
  } finally {
    child.kill("SIGTERM");
    exitCode = await exited;
    output = read();
  }
}, 120_000);

afterAll(async () => {
  await api?.close();
  await zalo?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the logs of a whole service run at LOG_LEVEL=trace", () => {
  it("should have run the conversation and stopped cleanly", () => {
    expect(exitCode).toBe(0);
    expect(output).toContain("shutting down");
    expect(output).toContain("telegram handler failed");
    expect(answered).toBeGreaterThanOrEqual(SENSITIVE.length);
    const stored = storedValues(path.join(root, "data")).filter((v) => v.table === "staff_queue" && v.column === "staff_answer");
    expect(stored.length).toBe(answered);
  });

  it("should print no corpus number in any formatting", () => {
    const leaks = output.split("\n").flatMap((line) => leakedNumbers(line).map((n) => `${n} in ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it("should leave no corpus number in the database", () => {
    expect(leaksInDatabase(path.join(root, "data"))).toEqual([]);
  });
});
