/**
 * A re-index swaps the engine, the guided flows and the communes together, and the channels read
 * them live: the real service on loopback (Telegram in webhook mode against a fake Bot API, Zalo
 * against a fake OA API) serves a copy of the knowledge folder; a commune is added to its
 * communes.yaml and, after a re-index and without a restart, Telegram's /xa and Zalo's commune
 * list offer it, and choosing it works on both.
 */
import { appendFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type Service } from "../../src/app/service.js";
import { createConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";
import { APP_ID, OA_SECRET, postSignedZalo, startFakeZalo, zaloTextEvent, type FakeZalo } from "../helpers/fake-zalo.js";
import { BOT_INFO, startFakeBotApi, type FakeBotApi } from "../helpers/telegram.js";

const TOKEN = "123456:TEST-token-not-real-aaaaaaaaaaaa";
const WEBHOOK_SECRET = "reindex_secret-for-tests";
const CHAT = 5151;

/** A commune appended to the copy's communes.yaml (its plan is an existing document). */
const NEW_COMMUNE = `
  - id: tan-lap
    name: Tân Lập
    former_unit: xã Tân Lập (xã thêm vào để kiểm thử)
    plan_id: ke-hoach-ha-tang-so-cong-hoa-2025
    focal_offices:
      - Công chức Văn hoá-Xã hội (kiểm thử)
    aliases: [Tân Lập, tan lap, xa tan lap]
    sources:
      - name: Danh sách xã dùng trong kiểm thử
        url: null
        date: null
`;

let work: string;
let knowledgeDir: string;
let service: Service;
let telegramApi: FakeBotApi;
let zaloApi: FakeZalo;
let nextId = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-reindex-communes-"));
  knowledgeDir = path.join(work, "knowledge");
  await cp(KNOWLEDGE_DIR, knowledgeDir, { recursive: true });
  telegramApi = await startFakeBotApi(TOKEN);
  zaloApi = await startFakeZalo({ access: ["env-access"] });
  const config = createConfig({
    KNOWLEDGE_DIR: knowledgeDir,
    DATA_DIR: path.join(work, "data"),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: telegramApi.apiRoot,
    TELEGRAM_WEBHOOK_URL: "https://xa.example.vn/webhooks/telegram",
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_JOIN_QUIET_MS: "0",
    ZALO_APP_ID: APP_ID,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_ACCESS_TOKEN: "env-access",
    ZALO_API_BASE_URL: zaloApi.url,
    ZALO_OAUTH_BASE_URL: zaloApi.url,
  });
  service = await startService(config, createLogger("silent"), { telegramBotInfo: BOT_INFO, telegramAutoRetry: false, zaloRetryBaseMs: 5 });
  await service.telegramReady;
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await telegramApi?.close();
  await zaloApi?.close();
  await rm(work, { recursive: true, force: true });
});

const from = { id: CHAT, is_bot: false, first_name: "Cô Lan" };
const chat = { id: CHAT, type: "private", first_name: "Cô Lan" };

/** Posts one update to the service's Telegram webhook, as Telegram would. */
async function postTelegram(update: Record<string, unknown>): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${service.port}/webhooks/telegram`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    body: JSON.stringify({ update_id: ++nextId, ...update }),
  });
  expect(res.status).toBe(200);
  await telegramApi.settle(50);
}

/** The buttons of Telegram's reply to /xa. */
async function telegramCommuneButtons(): Promise<string[]> {
  const before = telegramApi.messages(CHAT).length;
  await postTelegram({ message: { message_id: nextId, date: 0, chat, from, text: "/xa", entities: [{ type: "bot_command", offset: 0, length: 3 }] } });
  const reply = telegramApi.messages(CHAT).slice(before).find((m) => String(m.body.text).includes("Bà con ở xã nào?"));
  const keyboard = (reply?.body.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined)?.inline_keyboard ?? [];
  return keyboard.flat().map((b) => b.text);
}

/** What Zalo sends one resident in answer to `text`, once the job is done. */
async function zaloSay(userId: string, text: string): Promise<string> {
  const before = zaloApi.textsTo(userId).length;
  const res = await postSignedZalo(`http://127.0.0.1:${service.port}`, zaloTextEvent(userId, text, `reindex-${++nextId}`));
  expect(res.status).toBe(200);
  await service.zalo?.idle();
  return zaloApi.textsTo(userId).slice(before).join("\n");
}

describe("re-index with a new commune, without a restart", () => {
  it("should list only the communes of the knowledge in use, until a re-index installs the new ones", async () => {
    expect(await telegramCommuneButtons()).toEqual(["Xã Cộng Hòa", "Xã Phú Tân"]);
    expect(await zaloSay("7001", "chon xa")).not.toContain("Tân Lập");

    await appendFile(path.join(knowledgeDir, "communes.yaml"), NEW_COMMUNE);
    // Editing the file alone changes nothing: the knowledge in use is the one last indexed.
    expect(await telegramCommuneButtons()).toEqual(["Xã Cộng Hòa", "Xã Phú Tân"]);

    const before = service.knowledge();
    await service.reindex();
    const after = service.knowledge();
    // Engine, communes and flows were swapped together, as one snapshot.
    expect(after).not.toBe(before);
    expect(after.communes).toBe(after.engine.knowledge.communes);
    expect(after.flows).not.toBe(before.flows);
    expect(after.communes.get("tan-lap")?.name).toBe("Tân Lập");
    expect(service.engine.knowledge.communes.get("tan-lap")).toBeDefined();
  });

  it("should offer the new commune in Telegram's /xa and let the resident choose it", async () => {
    expect(await telegramCommuneButtons()).toEqual(["Xã Cộng Hòa", "Xã Phú Tân", "Xã Tân Lập"]);
    const before = telegramApi.messages(CHAT).length;
    await postTelegram({ callback_query: { id: `cb-${nextId}`, from, chat_instance: "ci", message: { message_id: 1, date: 0, chat, text: "Bà con ở xã nào?" }, data: "commune:tan-lap" } });
    expect(telegramApi.messages(CHAT).slice(before).map((m) => String(m.body.text))).toContainEqual(expect.stringContaining("Đã chọn xã Tân Lập"));
    expect(service.store.getUser(service.store.userKey("telegram", String(CHAT)))?.commune).toBe("tan-lap");
  });

  it("should number the new commune in Zalo's list and let the resident choose it", async () => {
    const list = await zaloSay("7002", "chon xa");
    expect(list).toMatch(/1\. Xã Cộng Hòa\n2\. Xã Phú Tân\n3\. Xã Tân Lập/);
    expect(await zaloSay("7002", "3")).toContain("Đã chọn xã Tân Lập");
    expect(service.store.getUser(service.store.userKey("zalo", "7002"))?.commune).toBe("tan-lap");
  });
});
