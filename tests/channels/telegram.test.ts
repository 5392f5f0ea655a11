import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Update } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InputFile } from "grammy";
import { createTelegramBot, parseBroadcastCommand, type TelegramBot } from "../../src/channels/telegram/bot.js";
import { createBroadcaster } from "../../src/core/broadcast/index.js";
import type { Assistant } from "../../src/core/assistant.js";
import type { Dialogue } from "../../src/core/dialogue/index.js";
import type { Store } from "../../src/core/store.js";
import type { Engine } from "../../src/app/engine.js";
import { createLogger } from "../../src/logger.js";
import { DATABASE_FILE, openSqliteStore } from "../../src/storage/sqlite-store.js";
import { testDialogue } from "../helpers/dialogue.js";
import { testEngine } from "../helpers/engine.js";
import { BOT_INFO } from "../helpers/telegram.js";


interface Call {
  method: string;
  payload: Record<string, unknown>;
}

let engine: Engine;
let cleanupEngine: () => Promise<void>;
beforeAll(async () => {
  ({ engine, cleanup: cleanupEngine } = await testEngine());
});
afterAll(async () => cleanupEngine());

let dataDir: string;
let store: Store;
let assistant: Assistant;
let dialogue: Dialogue;
let tg: TelegramBot;
let calls: Call[];
let updateId = 0;
let messageId = 0;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-tg-"));
  store = openSqliteStore({ dataDir, secret: "test-secret-for-telegram-0123456789" });
  ({ assistant, dialogue } = testDialogue(engine, store, { delivery: { telegram: {} }, rateLimit: { timeFrameMs: 1000, limit: 1000 } }));
  tg = createTelegramBot({
    token: "123456:TEST-token-not-real-aaaaaaaaaaaa",
    dialogue,
    store,
    logger: createLogger("silent"),
    botInfo: BOT_INFO,
    autoRetry: false,
    deliveryPollMs: 20,
  });
  // Staff answers go out through the bot's worker on the job queue, as in the service.
  tg.delivery.start();
  calls = [];
  // Every outgoing Bot API call is recorded and answered locally: no network.
  tg.bot.api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    if (method === "sendMessage") {
      const p = payload as { chat_id: number | string; text: string };
      return { ok: true, result: { message_id: ++messageId, date: 0, chat: { id: Number(p.chat_id), type: "private" }, text: p.text } } as never;
    }
    return { ok: true, result: true } as never;
  });
});

afterEach(async () => {
  await tg.delivery.close(1000);
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const RESIDENT: { id: number; is_bot: false; first_name: string } = { id: 1001, is_bot: false, first_name: "Bà Tư" };
const privateChat = (user: { id: number } = RESIDENT) => ({ id: user.id, type: "private" as const, first_name: "Bà Tư" });

function textUpdate(text: string, opts: { from?: { id: number; is_bot: false; first_name: string }; chat?: Record<string, unknown>; replyTo?: Record<string, unknown> } = {}): Update {
  const from = opts.from ?? RESIDENT;
  const entities = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }] : [];
  const mention = text.indexOf(`@${BOT_INFO.username}`);
  if (mention >= 0 && !text.startsWith("/")) entities.push({ type: "mention", offset: mention, length: BOT_INFO.username.length + 1 });
  return {
    update_id: ++updateId,
    message: {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: opts.chat ?? privateChat(from),
      from,
      text,
      ...(entities.length ? { entities } : {}),
      ...(opts.replyTo ? { reply_to_message: opts.replyTo } : {}),
    },
  } as unknown as Update;
}

function callbackUpdate(data: string, from: { id: number } = RESIDENT): Update {
  return {
    update_id: ++updateId,
    callback_query: {
      id: `cb${updateId}`,
      from: { ...RESIDENT, ...from },
      chat_instance: "ci",
      data,
      message: { message_id: ++messageId, date: 0, chat: privateChat(from as typeof RESIDENT), text: "…" },
    },
  } as unknown as Update;
}

/** Handles one update; a message still being joined with later ones is answered at once. */
async function send(update: Update): Promise<Call[]> {
  const before = calls.length;
  await tg.bot.handleUpdate(update);
  await tg.flush();
  return calls.slice(before);
}

const sent = (cs: Call[]) => cs.filter((c) => c.method === "sendMessage");
const texts = (cs: Call[]) => sent(cs).map((c) => String(c.payload.text));
type Button = { text: string; callback_data: string };
const buttons = (c: Call | undefined): Button[] => ((c?.payload.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const lastButtons = (cs: Call[]) => buttons(sent(cs).at(-1));
const click = (cs: Call[], label: string | RegExp, from: { id: number } = RESIDENT) => {
  const b = lastButtons(cs).find((x) => (typeof label === "string" ? x.text === label : label.test(x.text)));
  if (!b) throw new Error(`no button ${String(label)} in ${JSON.stringify(lastButtons(cs).map((x) => x.text))}`);
  return send(callbackUpdate(b.callback_data, from));
};

/** Rows about the resident in every table, read straight from the database file. */
function rowsFor(userKey: string): Record<string, number> {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
    return {
      users: count("SELECT COUNT(*) AS n FROM users WHERE key = ?", userKey),
      consents: count("SELECT COUNT(*) AS n FROM consents WHERE user_key = ?", userKey),
      messages: count("SELECT COUNT(*) AS n FROM messages WHERE user_key = ?", userKey),
      feedback: count("SELECT COUNT(*) AS n FROM feedback WHERE user_key = ?", userKey),
      queue: count("SELECT COUNT(*) AS n FROM staff_queue WHERE user_key = ?", userKey),
      state: count("SELECT COUNT(*) AS n FROM state WHERE key = ? OR key LIKE ?", userKey, `${userKey}:%`),
    };
  } finally {
    db.close();
  }
}

function rawQuestions(): Array<string | null> {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare("SELECT question FROM messages ORDER BY id").all() as Array<{ question: string | null }>).map((r) => r.question);
  } finally {
    db.close();
  }
}

const userKey = (id = RESIDENT.id) => store.userKey("telegram", String(id));

describe("/start and consent", () => {
  it("should welcome, show the privacy notice and offer both choices, nothing pre-selected", async () => {
    const out = await send(textUpdate("/start"));
    const [welcome] = sent(out);
    expect(welcome?.payload.parse_mode).toBe("HTML");
    const text = String(welcome?.payload.text);
    expect(text).toContain("Thông báo về dữ liệu cá nhân");
    expect(text).toContain("180 ngày");
    expect(text).toContain("Ủy ban nhân dân xã Thử Nghiệm");
    expect(text).toContain("/xoadulieu");
    expect(text).toContain("91/2025/QH15");
    expect(lastButtons(out).map((b) => b.text)).toEqual(["Đồng ý lưu câu hỏi", "Không đồng ý"]);
    expect(store.getUser(userKey())?.consent).toBeNull();
  });

  it("should record agreement, store the question text masked, and answer", async () => {
    const start = await send(textUpdate("/start"));
    await click(start, "Đồng ý lưu câu hỏi");
    expect(store.getUser(userKey())?.consent).toMatchObject({ granted: true });
    const out = await send(textUpdate("sdt cua toi 0912345678, cccd 001203004567, nho can bo goi lai giup"));
    expect(sent(out).length).toBeGreaterThan(0);
    const [question] = rawQuestions();
    expect(question).toContain("[số điện thoại đã ẩn]");
    expect(question).toContain("[số giấy tờ đã ẩn]");
    expect(question).not.toMatch(/0912345678|001203004567/);
  });

  it("should answer a resident who declined, and store no question text", async () => {
    const start = await send(textUpdate("/start"));
    await click(start, "Không đồng ý");
    expect(store.getUser(userKey())?.consent).toMatchObject({ granted: false });
    const out = await send(textUpdate("toc do mang di dong theo ke hoach xa cong hoa bao nhieu"));
    expect(texts(out).join("\n")).toContain("70");
    expect(rawQuestions()).toEqual([null]);
  });

  it("should store no question text from someone who never answered the notice", async () => {
    await send(textUpdate("vneid muc 2 dang ky o dau"));
    expect(rawQuestions()).toEqual([null]);
  });

  it("should follow the first answer to someone who never saw the notice (no /start) with the notice and the consent question, once", async () => {
    const first = await send(textUpdate("vneid muc 2 dang ky o dau"));
    expect(texts(first).at(-2)).toContain("Nguồn:");
    expect(texts(first).at(-1)).toContain("Thông báo về dữ liệu cá nhân");
    expect(lastButtons(first).map((b) => b.text)).toEqual(["Đồng ý lưu câu hỏi", "Không đồng ý"]);
    const second = await send(textUpdate("tat song 2g khi nao"));
    expect(texts(second).join("\n")).not.toContain("Thông báo về dữ liệu cá nhân");
  });
});

describe("answers", () => {
  // A private chat starts with /start (Telegram's «Bắt đầu» button): the notice was shown, nothing chosen.
  beforeEach(async () => {
    await send(textUpdate("/start"));
  });

  it("should answer free text with escaped HTML, numbered sources and feedback and staff buttons", async () => {
    const out = await send(textUpdate("nha e ho can ngheo, da tu mua dt cam ung roi thi co dc ho tro tien ko"));
    const last = sent(out).at(-1);
    const text = String(last?.payload.text);
    expect(text).toContain("500.000 đồng");
    expect(text).toContain("<b>Nguồn:</b>");
    expect(text).toMatch(/\[1\] <a href="https:\/\/[^"]+">Hỗ trợ điện thoại thông minh cho hộ nghèo/);
    expect(lastButtons(out).map((b) => b.text)).toEqual(["👍", "👎", "Hỏi cán bộ xã"]);
  });

  it.each([["còn xã Phú Tân thì sao?"], ["con xa phu tan thi sao"], ["Còn xã Phú Tân thì sao?".normalize("NFD")], ["the con phu tan?"], ["con o phu tan thi the nao ad"]])(
    "should answer a follow-up about the other commune from that commune's plan: %s",
    async (followUp) => {
      await send(textUpdate("xa cong hoa ke hoach toc do bang rong di dong bao nhieu"));
      const out = await send(textUpdate(followUp));
      const text = texts(out).join("\n");
      expect(text).toContain("Phú Tân");
      expect(text).toMatch(/70/);
      expect(text).not.toContain("Cộng Hoà đến năm 2025 (");
    },
  );

  it("should use the commune chosen with /xa", async () => {
    const out = await send(textUpdate("/xa"));
    await click(out, "Xã Phú Tân");
    expect(store.getUser(userKey())?.commune).toBe("phu-tan");
    const answer = await send(textUpdate("ty le dung chung tram bts la bao nhieu"));
    expect(texts(answer).join("\n")).toContain("35");
  });

  it("should offer «Có phải bà con muốn hỏi…?» with a button per suggestion, and answer the one tapped", async () => {
    const out = await send(textUpdate("doi may"));
    expect(texts(out).join("\n")).toContain("Có phải bà con muốn hỏi");
    const suggestions = lastButtons(out).filter((b) => b.callback_data.startsWith("sug:"));
    expect(suggestions.length).toBeGreaterThanOrEqual(2);
    expect(lastButtons(out).map((b) => b.text)).toEqual(expect.arrayContaining(["👍", "👎", "Hỏi cán bộ xã"]));
    const chosen = suggestions[0] as Button;
    const answer = await send(callbackUpdate(chosen.callback_data));
    const text = texts(answer).join("\n");
    expect(text).toContain("<b>Nguồn:</b>");
    expect(text).not.toContain("Có phải bà con muốn hỏi");
    expect(lastButtons(answer).map((b) => b.text)).toEqual(["👍", "👎", "Hỏi cán bộ xã"]);
    // A suggestion tapped again after it was used is not answered twice.
    const again = await send(callbackUpdate(chosen.callback_data));
    expect(texts(again).join("\n")).toContain("không còn giữ các câu gợi ý");
  });

  it("should answer small talk briefly, with no buttons", async () => {
    for (const greeting of ["xin chào", "xin chao", "cảm ơn ad nhiều"]) {
      const out = await send(textUpdate(greeting));
      const text = texts(out).join("\n");
      expect(text.length).toBeLessThan(200);
      expect(text).not.toContain("chưa có thông tin");
      expect(lastButtons(out)).toEqual([]);
    }
  });

  it("should refuse off-topic questions politely without a staff button", async () => {
    const out = await send(textUpdate("kq xsmb hom nay ve con gi"));
    expect(texts(out).join("\n")).toContain("nằm ngoài phạm vi");
    expect(lastButtons(out).map((b) => b.text)).toEqual(["👍", "👎"]);
  });
});

describe("menu and guided flows", () => {
  it("should show the topic menu", async () => {
    const out = await send(textUpdate("/menu"));
    expect(lastButtons(out).map((b) => b.text)).toEqual(["Kỹ năng số", "Hỗ trợ điện thoại cho hộ nghèo", "Tắt sóng 2G", "Kế hoạch hạ tầng số của xã", "Hỏi cán bộ xã"]);
  });

  it("should answer the plan topic and a digital-skills example question from the knowledge", async () => {
    const plan = await click(await send(textUpdate("/menu")), "Kế hoạch hạ tầng số của xã");
    const planText = texts(plan).join("\n");
    // The plan's main targets (not its purpose or duties), for the default commune, with sources.
    expect(planText).toContain("mục tiêu chính đến năm 2025");
    expect(planText).toMatch(/70 Mb/);
    expect(planText).toContain("Đây là thông tin của xã Cộng Hòa");
    expect(planText).toContain("Nguồn:");
    const skills = await click(await send(textUpdate("/menu")), "Kỹ năng số");
    const answer = await click(skills, /báo ở đâu/);
    expect(texts(answer).join("\n")).toMatch(/5656|156|Công an/);
  });

  const smartphonePaths: Array<[string, string[], RegExp, RegExp | null]> = [
    ["not poor or near-poor", ["Không phải"], /31\/12\/2025/, /500\.000/],
    ["got a tablet", ["Hộ cận nghèo", "Có, đã nhận"], /máy tính bảng/, /500\.000 đồng nếu/],
    ["bought since 12/12/2022 → cash", ["Hộ cận nghèo", "Không, chưa nhận", "Đã mua, từ ngày 12/12/2022 trở về sau"], /500\.000 đồng/, null],
    ["bought before 12/12/2022", ["Hộ nghèo", "Không, chưa nhận", "Mua trước ngày 12/12/2022"], /trước ngày 12\/12\/2022/, null],
    ["not bought → phone and package", ["Hộ nghèo", "Không nhớ", "Chưa mua"], /[Gg]ói hỗ trợ kết hợp|kèm/, null],
  ];
  it.each(smartphonePaths)("should walk the smartphone flow to its end: %s", async (_name, choices, expected, absent) => {
    let out = await click(await send(textUpdate("/menu")), "Hỗ trợ điện thoại cho hộ nghèo");
    for (const choice of choices) out = await click(out, choice);
    const text = texts(out).join("\n");
    expect(text).toMatch(expected);
    expect(text).toContain("31/12/2025");
    expect(text).toContain("Nguồn:");
    if (absent) expect(text).not.toMatch(absent);
    expect(lastButtons(out)).toEqual([]);
    expect(assistant.activeFlow({ channel: "telegram", channelUserId: String(RESIDENT.id) })).toBeNull();
  });

  const twoGPaths: Array<[string, string[], RegExp]> = [
    ["2G-only keypad", ['Máy bàn phím chỉ có 2G ("cục gạch")'], /16\/10\/2024/],
    ["4G keypad", ["Máy bàn phím 4G"], /VoLTE/],
    ["4G smartphone", ["Điện thoại thông minh 4G (cảm ứng)"], /9\/2028/],
    ["not sure, then still not sure", ["Không rõ", "Vẫn chưa rõ"], /cửa hàng/],
    ["not sure, then 2G-only", ["Không rõ", 'Máy bàn phím chỉ có 2G ("cục gạch")'], /16\/10\/2024/],
  ];
  it.each(twoGPaths)("should walk the 2G flow to its end: %s", async (_name, choices, expected) => {
    let out = await click(await send(textUpdate("/menu")), "Tắt sóng 2G");
    for (const choice of choices) out = await click(out, choice);
    const text = texts(out).join("\n");
    expect(text).toMatch(expected);
    expect(text).toContain("Nguồn:");
    expect(lastButtons(out)).toEqual([]);
  });

  it("should accept typed choices (number, words without diacritics) and let the resident cancel", async () => {
    await click(await send(textUpdate("/menu")), "Hỗ trợ điện thoại cho hộ nghèo");
    const step2 = await send(textUpdate("ho can ngheo"));
    expect(lastButtons(step2).map((b) => b.text)).toContain("Không nhớ");
    const step3 = await send(textUpdate("2"));
    expect(lastButtons(step3).map((b) => b.text)).toContain("Chưa mua");
    const cancelled = await send(textUpdate("Hủy"));
    expect(texts(cancelled).join("\n")).toContain("Đã hủy");
    // After cancelling, text is a question again.
    const answer = await send(textUpdate("vneid muc 2 dang ky o dau"));
    expect(texts(answer).join("\n")).toContain("Nguồn:");
  });

  it("should resume a flow after a restart (state lives in the store)", async () => {
    await click(await send(textUpdate("/menu")), "Tắt sóng 2G");
    // A new bot, dialogue and assistant over the same database, as after a restart.
    const again = createTelegramBot({ token: "123456:TEST-token-not-real-aaaaaaaaaaaa", dialogue: testDialogue(engine, store).dialogue, store, logger: createLogger("silent"), botInfo: BOT_INFO, autoRetry: false });
    const seen: Call[] = [];
    again.bot.api.config.use(async (_p, method, payload) => {
      seen.push({ method, payload: payload as Record<string, unknown> });
      return { ok: true, result: method === "sendMessage" ? { message_id: 1, date: 0, chat: { id: 1, type: "private" }, text: "" } : true } as never;
    });
    await again.bot.handleUpdate(textUpdate("may ban phim 4g"));
    await again.flush();
    expect(sent(seen).map((c) => String(c.payload.text)).join("\n")).toContain("VoLTE");
  });
});

describe("feedback and staff handoff", () => {
  it("should store 👍 and 👎 with an optional reason", async () => {
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    const answer = await send(textUpdate("vneid muc 2 dang ky o dau"));
    const up = lastButtons(answer).find((b) => b.text === "👍")!;
    await send(callbackUpdate(up.callback_data));
    const down = lastButtons(answer).find((b) => b.text === "👎")!;
    const ask = await send(callbackUpdate(down.callback_data));
    expect(texts(ask).join("\n")).toContain("vì sao");
    await send(textUpdate("chua noi ro can mang giay to gi, goi 0912345678"));
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const rows = db.prepare("SELECT rating, reason FROM feedback ORDER BY id").all() as Array<{ rating: string; reason: string | null }>;
    db.close();
    // One opinion per answer: the later 👎 replaced the 👍, and the reason was added to it.
    expect(rows).toEqual([{ rating: "down", reason: "chua noi ro can mang giay to gi, goi [số điện thoại đã ẩn]" }]);
  });

  it("should queue an unanswerable question, and deliver the staff answer back with hostile text escaped", async () => {
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    const out = await send(textUpdate("<b>lich sinh hoat cau lac bo duong sinh</b> thon 3 & co <script>nuoc uong</script> khong"));
    expect(texts(out).join("\n")).toContain("đã được chuyển cho cán bộ xã");
    const [item] = store.listQueue({ status: "open" });
    expect(item).toMatchObject({ reason: "unanswered", channel: "telegram", deliveryAddress: String(RESIDENT.id) });
    const before = calls.length;
    const { delivered } = await assistant.answerQueued(item!.id, "Nhà văn hóa mở cửa <i>buổi tối</i> & cuối tuần.", "can-bo-a");
    expect(delivered).toBe(true);
    const [msg] = sent(calls.slice(before));
    expect(msg?.payload.chat_id).toBe(String(RESIDENT.id));
    expect(msg?.payload.parse_mode).toBe("HTML");
    const text = String(msg?.payload.text);
    expect(text).toContain("&lt;b&gt;lich sinh hoat cau lac bo duong sinh&lt;/b&gt;");
    expect(text).toContain("&lt;script&gt;nuoc uong&lt;/script&gt;");
    expect(text).toContain("&lt;i&gt;buổi tối&lt;/i&gt; &amp; cuối tuần");
    expect(text).not.toMatch(/<(?!\/?(b|i|a)\b)/);
    const done = store.getQueueItem(item!.id);
    expect(done).toMatchObject({ status: "answered", answeredBy: "can-bo-a", delivered: true, deliveryAddress: null });
  });

  it("should send an answered question to staff on request, and ask for consent first when missing", async () => {
    await send(textUpdate("/start"));
    const answer = await send(textUpdate("vneid muc 2 dang ky o dau"));
    const staff = lastButtons(answer).find((b) => b.text === "Hỏi cán bộ xã")!;
    const refused = await send(callbackUpdate(staff.callback_data));
    expect(texts(refused).join("\n")).toContain("cần lưu câu hỏi");
    expect(store.listQueue()).toEqual([]);
    // Agreeing goes on to the question for staff: the question was not stored without consent, so it is typed again.
    const agreed = await click(refused, "Đồng ý lưu câu hỏi");
    expect(texts(agreed).join("\n")).toContain("Bà con gõ câu hỏi muốn gửi cán bộ xã");
    const sentOn = await send(textUpdate("vneid muc 2 dang ky o dau"));
    expect(texts(sentOn).join("\n")).toContain("Đã chuyển câu hỏi cho cán bộ xã");
    expect(store.listQueue()).toMatchObject([{ reason: "requested", question: "vneid muc 2 dang ky o dau" }]);
    // The staff button under an answer given with consent sends that question.
    const again = await send(textUpdate("tat song 2g khi nao"));
    await send(callbackUpdate(lastButtons(again).find((b) => b.text === "Hỏi cán bộ xã")!.callback_data));
    expect(store.listQueue()).toHaveLength(2);
  });

  it("should split a long staff answer at Telegram's 4096-character limit", async () => {
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    await click(await send(textUpdate("/menu")), "Hỏi cán bộ xã");
    await send(textUpdate("xin huong dan chi tiet thu tuc"));
    const [item] = store.listQueue();
    const long = Array.from({ length: 120 }, (_, i) => `Bước ${i + 1}: bà con mang giấy tờ đến bộ phận một cửa và hỏi cán bộ.`).join(" ");
    const before = calls.length;
    await assistant.answerQueued(item!.id, long, "can-bo-b");
    const pieces = texts(calls.slice(before));
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4096);
    expect(pieces.slice(0, -1).every((p) => p.endsWith("."))).toBe(true);
    expect(pieces.join(" ")).toContain("Bước 120:");
  });
});

describe("/xoadulieu", () => {
  it("should delete every row about the resident after confirmation, and nobody else's", async () => {
    const other = { id: 2002, is_bot: false, first_name: "Ông Năm" } as const;
    await click(await send(textUpdate("/start", { from: other })), "Đồng ý lưu câu hỏi", other);
    await send(textUpdate("vneid muc 2 dang ky o dau", { from: other }));

    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    const answer = await send(textUpdate("lich sinh hoat cau lac bo duong sinh thon 3"));
    await send(callbackUpdate(lastButtons(answer).find((b) => b.text === "👍")!.callback_data));
    await click(await send(textUpdate("/menu")), "Tắt sóng 2G");
    expect(Object.values(rowsFor(userKey())).every((n) => n > 0)).toBe(true);

    const confirm = await send(textUpdate("/xoadulieu"));
    const kept = await click(confirm, "Không xóa");
    expect(texts(kept).join("\n")).toContain("không xóa");
    expect(rowsFor(userKey()).users).toBe(1);

    const done = await click(await send(textUpdate("/xoadulieu")), "Xóa dữ liệu");
    expect(texts(done).join("\n")).toContain("Đã xóa toàn bộ dữ liệu");
    expect(rowsFor(userKey())).toEqual({ users: 0, consents: 0, messages: 0, feedback: 0, queue: 0, state: 0 });
    expect(rowsFor(userKey(other.id))).toMatchObject({ users: 1, consents: 1, messages: 1 });
  });
});

describe("groups", () => {
  const group = { id: -100500, type: "supergroup", title: "Xóm 3" };
  it("should stay silent unless mentioned, replied to, or given a command", async () => {
    expect(sent(await send(textUpdate("vneid muc 2 dang ky o dau", { chat: group })))).toEqual([]);
    const mentioned = await send(textUpdate(`@${BOT_INFO.username} vneid muc 2 dang ky o dau`, { chat: group }));
    expect(texts(mentioned).join("\n")).toContain("Nguồn:");
    const replied = await send(textUpdate("con muc 1 thi sao", { chat: group, replyTo: { message_id: 1, date: 0, chat: group, from: BOT_INFO, text: "…" } }));
    expect(sent(replied).length).toBeGreaterThan(0);
    const command = await send(textUpdate("/help", { chat: group }));
    expect(texts(command).join("\n")).toContain("/xoadulieu");
  });

  it("should deliver a staff answer to a group question privately, not into the group", async () => {
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    await send(textUpdate(`@${BOT_INFO.username} lich sinh hoat cau lac bo duong sinh thon 3`, { chat: group }));
    const [item] = store.listQueue({ status: "open" });
    expect(item?.deliveryAddress).toBe(String(RESIDENT.id));
    const before = calls.length;
    await assistant.answerQueued(item!.id, "Mở cửa buổi tối.", "can-bo-c");
    expect(sent(calls.slice(before)).map((c) => c.payload.chat_id)).toEqual([String(RESIDENT.id)]);
  });
});

describe("errors", () => {
  it("should apologise in Vietnamese when handling fails, not crash", async () => {
    store.close();
    const out = await send(textUpdate("vneid muc 2 dang ky o dau"));
    expect(texts(out)).toEqual(["Xin lỗi bà con, trợ lý đang gặp trục trặc. Bà con vui lòng thử lại sau ít phút."]);
    // afterEach closes the store again: reopen so that stays harmless.
    store = openSqliteStore({ dataDir, secret: "test-secret-for-telegram-0123456789" });
  });
});

describe("/bantin (commune radio staff)", () => {
  const STAFF = { id: 2002, is_bot: false as const, first_name: "Cán bộ đài" };
  const staffGroup = { id: -100777, type: "supergroup" as const, title: "Cán bộ xã" };

  beforeEach(async () => {
    // The same bot, with one staff member and a broadcaster; outgoing calls recorded as above.
    await tg.delivery.close(1000);
    tg = createTelegramBot({
      token: "123456:TEST-token-not-real-aaaaaaaaaaaa",
      dialogue,
      store,
      logger: createLogger("silent"),
      botInfo: BOT_INFO,
      autoRetry: false,
      staffIds: [STAFF.id],
      broadcaster: createBroadcaster({ engine }),
    });
    tg.bot.api.config.use(async (_prev, method, payload) => {
      calls.push({ method, payload: payload as Record<string, unknown> });
      const p = payload as { chat_id: number | string; text?: string };
      if (method === "sendMessage" || method === "sendDocument") {
        return { ok: true, result: { message_id: ++messageId, date: 0, chat: { id: Number(p.chat_id), type: "private" }, text: p.text ?? "" } } as never;
      }
      return { ok: true, result: true } as never;
    });
  });

  const documents = (cs: Call[]) => cs.filter((c) => c.method === "sendDocument");

  it("should send a staff member the script, the sources block and a .docx in the private chat", async () => {
    const out = await send(textUpdate("/bantin tat song 2g 3", { from: STAFF }));
    const messages = sent(out);
    expect(messages.every((c) => c.payload.chat_id === STAFF.id)).toBe(true);
    const all = texts(out);
    expect(all[0]).toMatch(/^Tắt sóng hai G/);
    expect(all[0]).toContain("Kính thưa bà con");
    expect(all.every((t) => t.length <= 4096)).toBe(true);
    const notRead = all.findIndex((t) => t.includes("KHÔNG ĐỌC"));
    expect(notRead).toBeGreaterThan(0);
    expect(all[notRead]).toContain("[1] ");
    expect(all.slice(0, notRead).join("\n")).not.toMatch(/\d/);
    const [doc] = documents(out);
    expect(doc?.payload.chat_id).toBe(STAFF.id);
    const file = doc?.payload.document as InputFile;
    expect(file).toBeInstanceOf(InputFile);
    expect(file.filename).toBe("ban-tin-tat-song-2g-3-phut.docx");
    const data = (file as unknown as { fileData: Buffer }).fileData;
    expect(Buffer.isBuffer(data) && data.subarray(0, 2).toString()).toBe("PK");
  });

  it("should split a long script at Telegram's 4096-character limit", async () => {
    const out = await send(textUpdate("/bantin lừa đảo trực tuyến 10 phút", { from: STAFF }));
    const all = texts(out);
    const notRead = all.findIndex((t) => t.includes("KHÔNG ĐỌC"));
    expect(notRead).toBeGreaterThanOrEqual(2);
    expect(all.every((t) => t.length <= 4096)).toBe(true);
    expect(documents(out)).toHaveLength(1);
  });

  it("should refuse anyone who is not listed as staff, politely and without drafting", async () => {
    const out = await send(textUpdate("/bantin tat song 2g 3"));
    expect(texts(out)).toEqual(["Xin lỗi, lệnh /bantin chỉ dành cho cán bộ Đài truyền thanh xã. Bà con cứ gõ câu hỏi, trợ lý sẽ trả lời."]);
    expect(documents(out)).toEqual([]);
  });

  it("should answer a staff command given in a group in the private chat, with a short note in the group", async () => {
    const out = await send(textUpdate(`/bantin@${BOT_INFO.username} vneid muc 2 1`, { from: STAFF, chat: staffGroup }));
    expect(texts(out).find((t) => t.startsWith("Tài khoản"))).toContain("mức hai");
    const toGroup = sent(out).filter((c) => c.payload.chat_id === staffGroup.id);
    expect(toGroup.map((c) => c.payload.text)).toEqual(["Trợ lý đã gửi bản tin vào tin nhắn riêng của anh/chị."]);
    expect(sent(out).filter((c) => c.payload.chat_id === STAFF.id).length).toBeGreaterThanOrEqual(2);
    expect(documents(out)[0]?.payload.chat_id).toBe(STAFF.id);
  });

  it("should say when the knowledge does not cover a topic, and explain the usage when the topic is missing", async () => {
    const out = await send(textUpdate("/bantin giá vàng hôm nay", { from: STAFF }));
    expect(texts(out).join("\n")).toContain("chưa có tài liệu về chủ đề «giá vàng hôm nay»");
    expect(documents(out)).toEqual([]);
    const usage = await send(textUpdate("/bantin", { from: STAFF }));
    expect(texts(usage).join("\n")).toContain("Cách dùng: /bantin <chủ đề> [số phút]");
  });

  it("should read the topic and the minutes from the command", () => {
    expect(parseBroadcastCommand("tắt sóng 2G 5")).toEqual({ topic: "tắt sóng 2G", minutes: 5 });
    expect(parseBroadcastCommand("lua dao 2 phut")).toEqual({ topic: "lua dao", minutes: 2 });
    expect(parseBroadcastCommand("vneid muc 2")).toEqual({ topic: "vneid muc 2", minutes: 3 });
    expect(parseBroadcastCommand("VNeID mức 2 5")).toEqual({ topic: "VNeID mức 2", minutes: 5 });
    expect(parseBroadcastCommand("VNeID mức 2 phút")).toEqual({ topic: "VNeID mức", minutes: 2 });
    expect(parseBroadcastCommand("ho tro dien thoai")).toEqual({ topic: "ho tro dien thoai", minutes: 3 });
  });
});

describe("/xemdulieu", () => {
  const group = { id: -100600, type: "supergroup", title: "Xóm 4" };

  it("should show a resident what is stored about them, masked, most recent first, and what is not kept", async () => {
    expect(texts(await send(textUpdate("/start"))).join("\n")).toContain("/xemdulieu");
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    await click(await send(textUpdate("/xa")), "Xã Phú Tân");
    const first = await send(textUpdate("vneid muc 2 dang ky o dau, sdt 0912345678"));
    await send(callbackUpdate(lastButtons(first).find((b) => b.text === "👎")!.callback_data));
    await send(textUpdate("chua ro, cccd cua toi 001203004567"));
    await send(textUpdate("lich sinh hoat cau lac bo duong sinh thon 3"));
    const [item] = store.listQueue({ status: "open" });
    await assistant.answerQueued(item!.id, "Mở cửa buổi tối, gọi 0987654321.", "can-bo-a");

    const out = await send(textUpdate("/xemdulieu"));
    const text = texts(out).join("\n");
    expect(sent(out).every((c) => c.payload.chat_id === RESIDENT.id && c.payload.parse_mode === "HTML")).toBe(true);
    expect(text).toContain("Dữ liệu trợ lý đang lưu về bà con");
    expect(text).toMatch(/đã đồng ý lúc \d\d\/\d\d\/\d{4} \d\d:\d\d/);
    expect(text).toContain("Xã đã chọn: Phú Tân");
    expect(text).toContain("đã ghi lại 2 câu hỏi");
    expect(text).toContain("vneid muc 2 dang ky o dau, sdt [số điện thoại đã ẩn]");
    expect(text).toContain("1 👎");
    expect(text).toContain("chua ro, cccd cua toi [số giấy tờ đã ẩn]");
    expect(text).toMatch(/lich sinh hoat cau lac bo duong sinh thon 3» — cán bộ đã trả lời lúc [^:]+:\d\d: «Mở cửa buổi tối, gọi \[số điện thoại đã ẩn\]\.»/);
    expect(text).toContain("không lưu tên, số điện thoại hay mã tài khoản Telegram");
    expect(text).toContain("180 ngày");
    expect(text).toContain("/xoadulieu");
    expect(text).not.toMatch(/0912345678|001203004567|0987654321/);
    // Most recent first.
    expect(text.indexOf("lich sinh hoat cau lac bo duong sinh thon 3")).toBeLessThan(text.indexOf("vneid muc 2 dang ky"));
  });

  it("should show no question text for a resident who declined, and store nothing for one never seen", async () => {
    await click(await send(textUpdate("/start")), "Không đồng ý");
    await send(textUpdate("vneid muc 2 dang ky o dau, sdt 0912345678"));
    const text = texts(await send(textUpdate("/xemdulieu"))).join("\n");
    expect(text).toContain("không đồng ý");
    expect(text).toContain("đã ghi lại 1 câu hỏi");
    expect(text).toContain("0 câu có lưu nội dung");
    expect(text).not.toContain("vneid muc 2");

    const stranger = { id: 3003, is_bot: false, first_name: "Cô Sáu" } as const;
    const none = texts(await send(textUpdate("/xemdulieu", { from: stranger }))).join("\n");
    expect(none).toContain("Trợ lý chưa lưu gì về bà con");
    expect(rowsFor(userKey(stranger.id))).toMatchObject({ users: 0, consents: 0, messages: 0, feedback: 0, queue: 0 });
  });

  it("should split a long listing at Telegram's 4096-character limit", async () => {
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    const key = userKey();
    for (let i = 1; i <= 12; i++) {
      const question = `Câu hỏi số ${i}: ${"bà con muốn hỏi thêm về thủ tục đăng ký. ".repeat(20)}`;
      const message = store.recordMessage({ userKey: key, channel: "telegram", question, kind: "extractive", confidence: 0.5, commune: null, sources: [], latencyMs: 1 });
      store.recordFeedback({ messageId: message.id, userKey: key, rating: "down", reason: `Lý do ${i}: ${"chưa rõ. ".repeat(40)}` });
      const queued = store.enqueue({ userKey: key, channel: "telegram", question, reason: "requested" });
      store.answerQueueItem(queued.id, `Trả lời ${i}: ${"cán bộ hướng dẫn từng bước. ".repeat(30)}`, "can-bo-a");
    }
    const pieces = texts(await send(textUpdate("/xemdulieu")));
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4096);
    const text = pieces.join("\n");
    expect(text).toContain("đã ghi lại 12 câu hỏi");
    expect(text).toContain("10 câu gần nhất");
    expect(text).toContain("Câu hỏi số 12:");
    expect(text).not.toContain("«Câu hỏi số 2:");
    expect(text).toContain("Câu hỏi gửi cán bộ xã (12, 5 câu gần nhất)");
    expect(pieces.at(-1)).toContain("/xoadulieu");
  });

  it("should be offered from /quyenriengtu, and answer a group command in the private chat", async () => {
    await click(await send(textUpdate("/start")), "Đồng ý lưu câu hỏi");
    const privacy = await send(textUpdate("/quyenriengtu"));
    const shown = await click(privacy, "Xem dữ liệu của tôi");
    expect(texts(shown).join("\n")).toContain("Dữ liệu trợ lý đang lưu về bà con");

    const out = await send(textUpdate(`/xemdulieu@${BOT_INFO.username}`, { chat: group }));
    const toGroup = sent(out).filter((c) => c.payload.chat_id === group.id).map((c) => String(c.payload.text));
    expect(toGroup).toEqual(["Trợ lý đã gửi dữ liệu của bà con vào tin nhắn riêng."]);
    expect(sent(out).filter((c) => c.payload.chat_id === RESIDENT.id).map((c) => String(c.payload.text)).join("\n")).toContain("Lưu câu hỏi: bà con đã đồng ý");
  });
});
