/**
 * The resident dialogue on its own (real engine, real store): one state machine whatever the
 * channel, typed commands and numbers with and without diacritics, each channel's voice, live
 * knowledge, consent asked again after a deletion, the rate limit, and state written by earlier
 * versions read leniently.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDialogue, DIALOGUE_TEXTS, type Dialogue, type DialogueEvent, type Reply, type Resident } from "../../../src/core/dialogue/index.js";
import { createCommuneDirectory } from "../../../src/core/knowledge/communes.js";
import type { Store } from "../../../src/core/store.js";
import type { Engine } from "../../../src/app/engine.js";
import { openSqliteStore } from "../../../src/storage/sqlite-store.js";
import { testDialogue } from "../../helpers/dialogue.js";
import { testEngine } from "../../helpers/engine.js";

let engine: Engine;
let cleanupEngine: () => Promise<void>;
beforeAll(async () => {
  ({ engine, cleanup: cleanupEngine } = await testEngine());
});
afterAll(async () => cleanupEngine());

let dataDir: string;
let store: Store;
let dialogue: Dialogue;
let nowMs = Date.UTC(2026, 0, 5, 3);

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-dialogue-"));
  store = openSqliteStore({ dataDir, secret: "dialogue-test-secret-0123456789" });
  ({ dialogue } = testDialogue(engine, store, { replyWindowHours: { zalo: 48 }, clock: () => nowMs, rateLimit: { timeFrameMs: 1000, limit: 1000 } }));
});
afterEach(async () => {
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const zalo = (id: string): Resident => ({ channel: "zalo", channelUserId: id });
const telegram = (id: string): Resident => ({ channel: "telegram", channelUserId: id });
const web = (id: string): Resident => ({ channel: "web", channelUserId: id });
const text = (t: string): DialogueEvent => ({ kind: "text", text: t });
const all = (replies: readonly Reply[]) => replies.map((r) => [r.text, r.note, r.footer].filter(Boolean).join("\n")).join("\n");
async function say(r: Resident, t: string): Promise<readonly Reply[]> {
  return (await dialogue.handle(r, text(t))).replies;
}
const NFD = (s: string) => s.normalize("NFD");

describe("typed commands, with and without diacritics", () => {
  it.each([
    ["Xóa dữ liệu", DIALOGUE_TEXTS.deleteConfirm],
    ["xoa du lieu", DIALOGUE_TEXTS.deleteConfirm],
    [NFD("Xóa dữ liệu"), DIALOGUE_TEXTS.deleteConfirm],
    ["Chọn xã", "Bà con ở xã nào?"],
    ["chon xa", "Bà con ở xã nào?"],
    ["Trợ giúp", "quyen rieng tu"],
    ["TRO GIUP", "quyen rieng tu"],
    ["Quyền riêng tư", "Thông báo về dữ liệu cá nhân"],
    [NFD("quyền riêng tư!"), "Thông báo về dữ liệu cá nhân"],
    ["Xem dữ liệu", "Dữ liệu trợ lý đang lưu về bà con"],
    ["xem du lieu", "Dữ liệu trợ lý đang lưu về bà con"],
    ["Menu", DIALOGUE_TEXTS.menuPrompt.numbers],
    ["0", DIALOGUE_TEXTS.menuPrompt.numbers],
    ["Hủy", DIALOGUE_TEXTS.nothingToCancel],
    ["huy", DIALOGUE_TEXTS.nothingToCancel],
  ])("should read «%s» as a command on every channel", async (typed, expected) => {
    expect(all(await say(zalo("z1"), typed))).toContain(expected);
    const onTelegram = all(await say(telegram("t1"), typed));
    expect(onTelegram).toContain(expected === DIALOGUE_TEXTS.menuPrompt.numbers ? DIALOGUE_TEXTS.menuPrompt.buttons : expected.replace("quyen rieng tu", "/quyenriengtu"));
  });

  it("should ask staff for a question after consent, whether the words are typed with diacritics or not", async () => {
    for (const [who, typed] of [["z2", "Hỏi cán bộ"], ["z3", "hoi can bo"], ["z4", NFD("Hỏi cán bộ xã")]] as const) {
      const ask = await say(zalo(who), typed);
      expect(all(ask)).toContain(DIALOGUE_TEXTS.staffNeedsConsent);
      expect(ask.at(-1)?.footer).toBe(DIALOGUE_TEXTS.consentNumbers);
      expect(all(await say(zalo(who), "1"))).toContain("Bà con gõ câu hỏi muốn gửi cán bộ xã (gõ «huy» để thôi)");
      const sent = all(await say(zalo(who), "Nhà văn hóa thôn 3 mở cửa buổi tối không?"));
      expect(sent).toContain(DIALOGUE_TEXTS.staffSent);
      expect(sent).toContain("Nếu quá 48 giờ");
    }
    expect(store.listQueue({ status: "open" })).toHaveLength(3);
  });
});

describe("choices", () => {
  it("should give the same choice ids on every channel, numbered lines only where residents type numbers", async () => {
    const [onZalo] = await say(zalo("z5"), "menu");
    const [onTelegram] = await say(telegram("t5"), "menu");
    const [onWeb] = (await dialogue.handle(web("w5-0123456789abcdef"), { kind: "command", name: "menu" })).replies;
    expect(onZalo?.list).toBe(true);
    expect(onZalo?.footer).toBe(DIALOGUE_TEXTS.menuNumbers);
    expect(onTelegram?.list).toBeUndefined();
    // Commune and privacy have their own commands on Telegram.
    expect(onTelegram?.choices?.map((c) => c.id)).toEqual(["menu:skills", "menu:smartphone", "menu:two-g", "menu:plan", "menu:staff"]);
    expect(onZalo?.choices?.map((c) => c.id)).toEqual([...(onTelegram?.choices ?? []).map((c) => c.id), "menu:commune", "menu:privacy"]);
    expect(onWeb?.choices?.map((c) => c.id)).toEqual(onZalo?.choices?.map((c) => c.id));
  });

  it.each(["3", "3.", "số 3", "so 3", " 3 "])("should pick the offered choice typed as «%s», on Telegram too", async (typed) => {
    await say(telegram("t6"), "/menu");
    await dialogue.handle(telegram("t6"), { kind: "command", name: "menu" });
    const flow = await say(telegram("t6"), typed);
    expect(all(flow)).toMatch(/2G/);
    expect(flow[0]?.choices?.at(-1)).toMatchObject({ id: "flow-cancel", secondary: true });
  });

  it("should number only the suggestions of «Có phải bà con muốn hỏi…?», not the feedback buttons", async () => {
    await dialogue.handle(zalo("z7"), { kind: "follow" });
    await say(zalo("z7"), "2");
    const [offer] = await say(zalo("z7"), "doi may");
    const primary = offer?.choices?.filter((c) => !c.secondary) ?? [];
    expect(primary.every((c) => c.id.startsWith("sug:"))).toBe(true);
    expect(dialogue.state(zalo("z7"))?.offered).toEqual(primary.map((c) => c.id));
    expect(all(await say(zalo("z7"), String(primary.length + 1)))).toContain(`Chưa có lựa chọn số ${primary.length + 1}`);
    expect(all(await say(zalo("z7"), "1"))).toContain("Gõ 1 nếu câu trả lời giúp được bà con");
  });

  it("should acknowledge a tapped 👍 on the button, and a typed one with a reply", async () => {
    await dialogue.handle(telegram("t8"), { kind: "choice", id: "consent:yes" });
    const [answer] = await say(telegram("t8"), "vneid muc 2 dang ky o dau");
    const up = answer?.choices?.find((c) => c.id.startsWith("fb:up:"));
    const tapped = await dialogue.handle(telegram("t8"), { kind: "choice", id: up?.id as string });
    expect(tapped).toEqual({ replies: [], ack: DIALOGUE_TEXTS.feedbackThanks });
    await say(telegram("t8"), "vneid muc 2 dang ky o dau");
    expect(all(await say(telegram("t8"), "1"))).toContain(DIALOGUE_TEXTS.feedbackThanks);
  });
});

describe("live knowledge", () => {
  it("should list the communes and flow titles of the knowledge current at each event", async () => {
    const { communes } = engine.knowledge;
    let current = communes;
    const { assistant } = testDialogue(engine, store);
    const live = createDialogue({ assistant, store, knowledge: () => ({ communes: current, flows: [] }), retentionDays: 180, controller: "UBND xã" });
    const before = (await live.handle(zalo("z9"), text("chon xa"))).replies[0];
    expect(before?.choices?.map((c) => c.label)).toEqual(["Xã Cộng Hòa", "Xã Phú Tân"]);
    current = createCommuneDirectory([...communes.all, { ...(communes.all[0] as (typeof communes.all)[number]), id: "xa-moi", name: "Mới Lập", aliases: ["moi lap"] }]);
    const after = (await live.handle(zalo("z9"), text("chon xa"))).replies[0];
    expect(after?.choices?.map((c) => c.label)).toEqual(["Xã Cộng Hòa", "Xã Phú Tân", "Xã Mới Lập"]);
    expect(live.communes().map((c) => c.id)).toContain("xa-moi");
    // Without the guided flows, their menu entries are not offered.
    expect(live.menu("zalo").map((c) => c.id)).not.toContain("menu:smartphone");
  });
});

describe("consent and deletion", () => {
  it("should follow the first answer with the notice once, and again after a deletion, storing no state after it", async () => {
    const me = telegram("t10");
    const first = await say(me, "vneid muc 2 dang ky o dau");
    expect(first.at(-1)).toMatchObject({ private: "notice", bold: [DIALOGUE_TEXTS.consentQuestion] });
    expect(all(await say(me, "tat song 2g khi nao"))).not.toContain("Thông báo về dữ liệu cá nhân");
    await dialogue.handle(me, { kind: "command", name: "delete" });
    const deleted = await dialogue.handle(me, { kind: "choice", id: "delete:yes" });
    expect(all(deleted.replies)).toContain(DIALOGUE_TEXTS.deleted);
    expect(dialogue.state(me)).toBeUndefined();
    expect(store.getUser(store.userKey("telegram", "t10"))).toBeUndefined();
    expect(all(await say(me, "tat song 2g khi nao"))).toContain("Thông báo về dữ liệu cá nhân");
  });

  it("should keep nothing for someone who only looks at their data, and nothing private in a shared conversation", async () => {
    const seen = await dialogue.handle(telegram("t11"), { kind: "command", name: "mydata" });
    expect(seen.replies[0]).toMatchObject({ private: "data" });
    expect(store.getUser(store.userKey("telegram", "t11"))).toBeUndefined();
    const inGroup = await dialogue.handle(telegram("t12"), { kind: "command", name: "start" }, { shared: true });
    expect(inGroup.replies[0]?.private).toBe("notice");
    expect(store.getUser(store.userKey("telegram", "t12"))).toBeUndefined();
    dialogue.noticeShown(telegram("t12"));
    expect(dialogue.state(telegram("t12"))?.welcomed).toBe(true);
    const answered = await dialogue.handle(telegram("t13"), text("vneid muc 2 dang ky o dau"), { shared: true });
    expect(answered.replies.some((r) => r.private)).toBe(false);
  });
});

describe("rate limit", () => {
  it("should tell a resident once when they write too fast, and always answer a tap", () => {
    const limited = testDialogue(engine, store, { rateLimit: { timeFrameMs: 60_000, limit: 2 } }).dialogue;
    const r = zalo("z12");
    expect([limited.admit(r, "message"), limited.admit(r, "message")]).toEqual([{ ok: true }, { ok: true }]);
    expect(limited.admit(r, "message")).toEqual({ ok: false, notice: DIALOGUE_TEXTS.tooFast });
    expect(limited.admit(r, "message")).toEqual({ ok: false, notice: null });
    expect(limited.admit(r, "tap")).toEqual({ ok: false, notice: DIALOGUE_TEXTS.tooFastTap });
  });
});

describe("state", () => {
  it("should read a session stored by an earlier version, keeping what still means the same", async () => {
    const key = store.ensureUser("zalo", "z13").key;
    store.setState(`${key}:zalo`, { awaiting: { kind: "answer", messageId: 4, staff: true }, lastInboundAt: 1234, welcomed: true });
    expect(dialogue.state(zalo("z13"))).toEqual({ awaiting: null, offered: null, suggestions: [], afterConsent: null, welcomed: true, lastInboundAt: 1234 });
    store.setState(`${key}:zalo`, { awaiting: { kind: "reason", messageId: 9 } });
    expect(dialogue.state(zalo("z13"))?.awaiting).toEqual({ kind: "reason", messageId: 9 });
    expect(all(await say(zalo("z13"), "2"))).toContain(DIALOGUE_TEXTS.reasonThanks);
  });

  it("should record when a known resident last wrote, on the dialogue's clock, and keep nothing for one who only sent a picture", async () => {
    await dialogue.handle(zalo("z14"), { kind: "follow" });
    nowMs += 1000;
    await dialogue.handle(zalo("z14"), { kind: "media" });
    expect(dialogue.state(zalo("z14"))?.lastInboundAt).toBe(nowMs);
    expect(all((await dialogue.handle(zalo("z15"), { kind: "media" })).replies)).toContain(DIALOGUE_TEXTS.media);
    expect(store.getUser(store.userKey("zalo", "z15"))).toBeUndefined();
  });
});
