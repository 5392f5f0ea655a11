/**
 * Every corpus number stays out of storage and logs: the real service on loopback, with
 * Telegram (webhook), Zalo (signed webhook), the web chat and the officials' console, logging at
 * level trace into memory. Residents consent (so question text is stored), ask, give 👎 with a
 * reason, send questions to staff, and staff answer through the console and the assistant. Then
 * every table of the SQLite file (opened read-only), the raw database files and the log are
 * scanned for the corpus numbers in any formatting.
 */
import { readFile, readdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../../src/config.js";
import { MASK_LABEL } from "../../../src/core/privacy/mask.js";
import { startService, type Service } from "../../../src/app/service.js";
import { signedIn } from "../../channels/web/console/helpers.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";
import { APP_ID, APP_SECRET, OA_SECRET, startFakeZalo, type FakeZalo } from "../../helpers/fake-zalo.js";
import { BOT_INFO } from "../../helpers/telegram.js";
import { createDriver, TELEGRAM_SECRET, TELEGRAM_WEBHOOK_URL, type Driver } from "./conversation.js";
import { NEEDLES, SENSITIVE, leakedNumbers } from "./corpus.js";
import { BOT_TOKEN, leaksInDatabase, memoryLogger, startFakeBotApi, storedValues, type FakeBotApi } from "./helpers.js";

const CONSOLE_PASSWORD = "mat-khau-quyen-rieng-tu-1";
const LABELS = Object.values(MASK_LABEL);
const masked = (v: string) => LABELS.some((l) => v.includes(l));

let root: string;
let dataDir: string;
let service: Service;
let api: FakeBotApi;
let zalo: FakeZalo;
let drive: Driver;
const log = memoryLogger("trace");

/** Telegram ids of the residents (A asks, gives 👎 and a reason, presses "Hỏi cán bộ xã"; B types a question for staff; C blocked the bot). */
const tgA = (i: number) => 710_000 + i;
const tgB = (i: number) => 720_000 + i;
const tgC = (i: number) => 730_000 + i;

async function telegramResidents(): Promise<void> {
  for (const [i, s] of SENSITIVE.entries()) {
    const a = tgA(i);
    expect(await drive.telegramText(a, "/start")).toBe(200);
    expect(await drive.telegramButton(a, "consent:yes")).toBe(200);
    expect(await drive.telegramText(a, s.text)).toBe(200);
    const buttons = drive.lastButtons(a);
    const down = buttons.find((b) => b.startsWith("fb:down:"));
    expect(down, `feedback buttons under the answer to ${JSON.stringify(s.text)}`).toBeDefined();
    expect(await drive.telegramButton(a, down as string)).toBe(200);
    expect(await drive.telegramText(a, `Chưa đúng ý, ${s.text}`)).toBe(200);
    const staff = buttons.find((b) => b.startsWith("staff:"));
    if (staff) expect(await drive.telegramButton(a, staff)).toBe(200);

    const b = tgB(i);
    expect(await drive.telegramText(b, "/start")).toBe(200);
    expect(await drive.telegramButton(b, "consent:yes")).toBe(200);
    expect(await drive.telegramButton(b, "menu:staff")).toBe(200);
    expect(await drive.telegramText(b, `Nhờ cán bộ xã gọi lại: ${s.text}`)).toBe(200);

    if (i % 20 === 5) {
      // A resident who blocked the bot after consenting: the answer cannot be sent and is logged as an error.
      const c = tgC(i);
      await drive.telegramText(c, "/start");
      await drive.telegramButton(c, "consent:yes");
      api.blocked.add(c);
      expect(await drive.telegramText(c, s.text)).toBe(200);
    }
  }
}

async function zaloResidents(): Promise<void> {
  // Question askers: 5 questions each (under the per-resident limit of 8 messages in 10 s).
  for (let u = 0; u * 5 < SENSITIVE.length; u++) {
    const user = `zq-${u}`;
    expect(await drive.zalo(user, null)).toBe(200);
    expect(await drive.zalo(user, "1")).toBe(200);
    for (const s of SENSITIVE.slice(u * 5, u * 5 + 5)) expect(await drive.zalo(user, s.text)).toBe(200);
    if (u === 3) zalo.script.push({ status: 200, body: { error: -232, message: "Interaction expired" } });
  }
  // Reasons after a 👎 and questions typed for staff.
  for (let k = 0; k < 12; k += 2) {
    const user = `zr-${k}`;
    const [first, second] = [SENSITIVE[k] as (typeof SENSITIVE)[number], SENSITIVE[k + 1] as (typeof SENSITIVE)[number]];
    for (const text of [null, "1", `VNeID mức 2 làm ở đâu? ${first.text}`]) expect(await drive.zalo(user, text)).toBe(200);
    await service.zalo?.idle();
    // After a "did you mean", numbers pick a suggestion: pick the first, so that "2" is a 👎.
    if (service.zalo?.state(user)?.offered?.[0]?.startsWith("sug:")) {
      expect(await drive.zalo(user, "1")).toBe(200);
      await service.zalo?.idle();
    }
    expect(service.zalo?.state(user)?.offered?.[0]).toMatch(/^fb:up:/);
    for (const text of ["2", `sai roi ${second.text}`, "hoi can bo", `can bo goi lai giup ${first.text}`]) {
      expect(await drive.zalo(user, text)).toBe(200);
    }
  }
  await service.zalo?.idle();
}

async function staffAnswers(): Promise<number> {
  const open = service.store.listQueue({ status: "open" });
  const { client, csrf } = await signedIn(`http://127.0.0.1:${service.port}`, "admin", CONSOLE_PASSWORD);
  // Some B residents blocked the bot before staff answered: the delivery fails and is logged.
  SENSITIVE.forEach((_s, i) => i % 10 === 0 && api.blocked.add(tgB(i)));
  for (const [n, item] of open.entries()) {
    const s = SENSITIVE[n % SENSITIVE.length] as (typeof SENSITIVE)[number];
    const answer = `Dạ, cán bộ xã đã ghi nhận và sẽ gọi lại. Thông tin bà con gửi: ${s.text}`;
    if (n < 6) {
      const res = await client.postForm(`/console/cau-hoi-cho/${item.id}/tra-loi`, { _csrf: csrf, answer });
      expect(res.status).toBe(303);
    } else {
      await service.assistant.answerQueued(item.id, answer, "can-bo-vhxh");
    }
  }
  for (const s of SENSITIVE.slice(0, 5)) {
    const res = await client.postJson("/console/api/ask", { question: s.text }, { "x-csrf-token": csrf });
    expect(res.status).toBe(200);
  }
  await service.zalo?.idle();
  return open.length;
}

let queued = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tro-ly-so-privacy-"));
  dataDir = path.join(root, "data");
  api = await startFakeBotApi();
  zalo = await startFakeZalo({ access: ["env-access"], refresh: ["env-refresh"] });
  const config = createConfig({
    KNOWLEDGE_DIR,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "trace",
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: api.url,
    TELEGRAM_WEBHOOK_URL,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    // Each message answered within its own update (no joining): the driver reads each answer's buttons right after posting.
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
  });
  service = await startService(config, log.logger, { telegramBotInfo: BOT_INFO, telegramAutoRetry: false, zaloRetryBaseMs: 5 });
  await service.telegramReady;
  drive = createDriver(`http://127.0.0.1:${service.port}`, api);

  await telegramResidents();
  await zaloResidents();
  for (const s of SENSITIVE) expect(await drive.web(s.text)).toBe(200);
  queued = await staffAnswers();
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await api?.close();
  await zalo?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("storage", () => {
  it("should have stored the residents' texts, masked (so the scan below has something to find)", () => {
    const values = storedValues(dataDir);
    const of = (table: string, column: string) => values.filter((v) => v.table === table && v.column === column).map((v) => v.value);
    // Telegram A, Zalo: every corpus question is kept with consent, masked.
    expect(of("messages", "question").filter(masked).length).toBeGreaterThanOrEqual(SENSITIVE.length * 2);
    expect(of("feedback", "reason").filter(masked).length).toBeGreaterThanOrEqual(SENSITIVE.length + 6);
    expect(of("staff_queue", "question").filter(masked).length).toBeGreaterThanOrEqual(SENSITIVE.length + 6);
    expect(of("staff_queue", "staff_answer").filter(masked).length).toBe(queued);
    expect(queued).toBeGreaterThanOrEqual(SENSITIVE.length * 2);
    // The words around the numbers are kept as typed.
    expect(of("messages", "question")).toContain(`Số điện thoại của tôi là ${MASK_LABEL.phone}, cán bộ gọi lại giúp tôi với.`);
  });

  it("should hold no corpus number in any column of any table, in any formatting", () => {
    expect(leaksInDatabase(dataDir)).toEqual([]);
  });

  it("should hold no corpus number anywhere in the database files (pages, WAL)", async () => {
    const files = (await readdir(dataDir)).filter((f) => f.includes(".sqlite"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = (await readFile(path.join(dataDir, file))).toString("latin1");
      expect(NEEDLES.filter((n) => bytes.includes(n)), file).toEqual([]);
    }
  });
});

describe("logs at level trace", () => {
  it("should have logged the conversation (so the scan below has something to read)", () => {
    const lines = log.lines();
    expect(lines.length).toBeGreaterThan(50);
    const text = log.text();
    expect(text).toContain("telegram delivery of a staff answer failed");
    expect(text).toContain("telegram handler failed");
    expect(text).toContain("console queue answered");
  });

  it("should contain no corpus number in any formatting", () => {
    const leaks = log.lines().flatMap((line) => leakedNumbers(line).map((n) => `${n} in ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it("should contain no message text at all, masked or not (failed sends included)", () => {
    const text = log.text();
    // A masked question or answer in the log would carry a placeholder; the staff answer its opening words.
    expect(LABELS.filter((l) => text.includes(l))).toEqual([]);
    expect(text).not.toContain("cán bộ xã đã ghi nhận");
    expect(text).not.toContain("Cán bộ xã trả lời câu hỏi của bà con");
    for (const s of SENSITIVE) expect(text).not.toContain(s.text.slice(0, 24));
  });
});
