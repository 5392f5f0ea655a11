/**
 * "Lưu thành mục hỏi đáp" never publishes a resident: the form offers a de-personalised question
 * to rewrite, the resident's own words (however spelled) and questions with names, house numbers,
 * hamlets or phone numbers are refused before anything is sent, and a saved entry cites the
 * commune office without a link. Real service on 127.0.0.1, on a copy of the knowledge folder.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTICE_VERSION } from "../../../../src/core/privacy/notice.js";
import { csrfOf, signedIn, startConsoleService, type ConsoleTestService } from "./helpers.js";

/** A resident who gives their name, hamlet, house number and phone with the question. */
const RESIDENT_TEXT = "Nhà ông Nguyễn Văn Tám ở xóm 3 thôn Đông Hạ, số nhà 12, sđt 0912 345 678: lớp học dùng điện thoại cho người cao tuổi mở chưa?";
const PLAIN_TEXT = "nha ong Nguyen Van Tam o xom 3 thon Dong Ha, so nha 12, sdt 0912 345 678: lop hoc dung dien thoai cho nguoi cao tuoi mo chua?";
const STAFF_QUESTION = "Lớp học dùng điện thoại thông minh cho người cao tuổi mở khi nào?";
const STAFF_ANSWER = "Dạ, lớp học dùng điện thoại thông minh cho người cao tuổi mở sáng chủ nhật hằng tuần tại nhà văn hóa; bà con đăng ký với Đoàn thanh niên xã.";
const PERSONAL = ["Nguyễn", "Nguyen", "Tám", "Đông Hạ", "xóm 3", "số nhà 12", "0912", "345 678"];

let t: ConsoleTestService;

beforeAll(async () => {
  t = await startConsoleService({}, { copyKnowledge: true });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

function enqueue(userId: string, question: string) {
  const { store } = t.service;
  const user = store.ensureUser("zalo", userId);
  store.setConsent(user.key, true, NOTICE_VERSION);
  return store.enqueue({ userKey: user.key, channel: "zalo", question, reason: "requested", commune: "cong-hoa", deliveryAddress: userId });
}

const decode = (s: string) => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'");

describe("the FAQ question offered for a queued question", () => {
  it("should be the resident's question without name, hamlet, house number or phone, in the form and the API", async () => {
    const item = enqueue("faq-a", RESIDENT_TEXT);
    const plain = enqueue("faq-b", PLAIN_TEXT);
    const nfd = enqueue("faq-c", RESIDENT_TEXT.normalize("NFD"));
    const { client } = await signedIn(t.base);
    const page = await (await client.get("/console/cau-hoi-cho?trang-thai=open&kenh=zalo")).text();
    for (const { id } of [item, plain, nfd]) {
      const value = decode(new RegExp(`id="fq-${id}" name="faqQuestion"[^>]* value="([^"]*)"`).exec(page)?.[1] ?? "");
      expect(value.normalize("NFC").toLowerCase(), `item ${id}`).toMatch(/l(ớ|o)p h(ọ|o)c d(ù|u)ng (đ|d)i(ệ|e)n tho(ạ|a)i cho ng(ư|u)(ờ|o)i cao tu(ổ|o)i m(ở|o) ch(ư|u)a\?$/);
      for (const detail of PERSONAL) expect(value.normalize("NFC"), `item ${id}: ${detail}`).not.toContain(detail);
      expect(value, `item ${id}`).not.toContain("đã ẩn");
    }
    const api = (await (await client.get("/console/api/queue?status=open&channel=zalo")).json()) as { items: Array<{ id: number; faqSuggestion?: string }> };
    const suggestion = api.items.find((i) => i.id === item.id)?.faqSuggestion ?? "";
    expect(suggestion).toContain("lớp học dùng điện thoại");
    for (const detail of PERSONAL) expect(suggestion).not.toContain(detail);
  });
});

describe("saving a staff answer as an FAQ entry", () => {
  it("should refuse, before sending anything, no question, the resident's own words in NFC, NFD or without diacritics, and questions with personal details", async () => {
    const item = enqueue("faq-d", RESIDENT_TEXT);
    const { client, csrf } = await signedIn(t.base);
    const stored = t.service.store.getQueueItem(item.id)?.question ?? "";
    const attempts: Array<[string | undefined, string]> = [
      [undefined, "FAQ_QUESTION_MISSING"],
      ["   ", "FAQ_QUESTION_MISSING"],
      [RESIDENT_TEXT, "FAQ_QUESTION_PERSONAL"],
      [RESIDENT_TEXT.normalize("NFD"), "FAQ_QUESTION_PERSONAL"],
      [stored, "FAQ_QUESTION_UNCHANGED"],
      [stored.normalize("NFD"), "FAQ_QUESTION_UNCHANGED"],
      [PLAIN_TEXT, "FAQ_QUESTION_PERSONAL"],
      ["Nhà ông Nguyễn Văn Tám ở đâu?", "FAQ_QUESTION_PERSONAL"],
      ["nha ong Nguyen Van Tam o dau", "FAQ_QUESTION_PERSONAL"],
      ["Lớp học ở số nhà 12 mở khi nào?", "FAQ_QUESTION_PERSONAL"],
      ["Lớp học ở thôn Đông Hạ mở khi nào?", "FAQ_QUESTION_PERSONAL"],
      ["Lớp học mở khi nào, gọi 0912 345 678?", "FAQ_QUESTION_PERSONAL"],
    ];
    for (const [faqQuestion, code] of attempts) {
      const res = await client.postJson(`/console/api/queue/${item.id}/answer`, { answer: STAFF_ANSWER, saveFaq: true, ...(faqQuestion === undefined ? {} : { faqQuestion }) }, { "x-csrf-token": csrf });
      expect(res.status, JSON.stringify(faqQuestion)).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, JSON.stringify(faqQuestion)).toBe(code);
      expect(body.error.message).toMatch(/^Chưa lưu, chưa gửi/);
    }
    // An answer naming the resident cannot be published either.
    const named = await client.postJson(`/console/api/queue/${item.id}/answer`, { answer: "Chào ông Nguyễn Văn Tám, lớp học mở sáng chủ nhật.", saveFaq: true, faqQuestion: STAFF_QUESTION }, { "x-csrf-token": csrf });
    expect(((await named.json()) as { error: { code: string } }).error.code).toBe("FAQ_ANSWER_PERSONAL");
    // Nothing was answered, sent or written.
    expect(t.service.store.getQueueItem(item.id)?.status).toBe("open");
    const file = await readFile(path.join(t.knowledgeDir, "faq", "cua-can-bo-xa.md"), "utf8");
    for (const detail of ["Nguyễn Văn Tám", "Nguyen Van Tam", "Đông Hạ", "số nhà 12"]) expect(file).not.toContain(detail);
  });

  it("should show the refusal on the page with what staff typed, and keep the question open", async () => {
    const item = enqueue("faq-e", RESIDENT_TEXT);
    const { client } = await signedIn(t.base);
    const page = await (await client.get("/console/cau-hoi-cho?trang-thai=open&kenh=zalo")).text();
    const res = await client.postForm(`/console/cau-hoi-cho/${item.id}/tra-loi`, {
      _csrf: csrfOf(page),
      answer: STAFF_ANSWER,
      saveFaq: "1",
      faqQuestion: t.service.store.getQueueItem(item.id)?.question ?? "",
      back: "/console/cau-hoi-cho?trang-thai=open&kenh=zalo",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("vẫn là nguyên văn câu của người dân");
    expect(html).toContain(`id="fq-err-${item.id}"`);
    expect(html).toContain("bà con đăng ký với Đoàn thanh niên xã.</textarea>");
    expect(t.service.store.getQueueItem(item.id)?.status).toBe("open");
  });

  it("should save the staff's own question, cite the office without a link, and not answer questions about the resident", async () => {
    const item = enqueue("faq-f", RESIDENT_TEXT);
    const { client, csrf } = await signedIn(t.base);
    const res = await client.postJson(`/console/api/queue/${item.id}/answer`, { answer: STAFF_ANSWER, saveFaq: true, faqQuestion: STAFF_QUESTION }, { "x-csrf-token": csrf });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { faq: { saved: boolean } };
    expect(body.faq.saved).toBe(true);

    const file = await readFile(path.join(t.knowledgeDir, "faq", "cua-can-bo-xa.md"), "utf8");
    const entry = file.slice(file.indexOf(`## ${STAFF_QUESTION}`));
    expect(entry).toMatch(/\nNguồn: Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, \d\d\/\d\d\/\d{4}\n/);
    for (const detail of PERSONAL) expect(file).not.toContain(detail);

    const ask = async (question: string) =>
      (await (await client.postJson("/console/api/ask", { question }, { "x-csrf-token": csrf })).json()) as { kind: string; answer: string; sources: Array<{ id: string; title: string; url: string | null }> };
    for (const question of [STAFF_QUESTION, STAFF_QUESTION.normalize("NFD"), "lop hoc dung dien thoai thong minh cho nguoi cao tuoi mo khi nao"]) {
      const answer = await ask(question);
      expect(answer.kind, question).toBe("faq");
      expect(answer.answer).toContain("sáng chủ nhật hằng tuần");
      expect(answer.sources).toHaveLength(1);
      expect(answer.sources[0]).toMatchObject({ id: "faq-cua-can-bo-xa", url: null });
      expect(answer.sources[0]?.title).toMatch(/^Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, \d\d\/\d\d\/\d{4}$/);
    }
    for (const question of ["nha ong Nguyen Van Tam o dau", "Nhà ông Nguyễn Văn Tám ở đâu?", "Nhà ông Nguyễn Văn Tám ở đâu?".normalize("NFD"), "nha ong tam o xom 3 thon dong ha so nha 12"]) {
      const answer = await ask(question);
      expect(answer.answer, question).not.toContain("sáng chủ nhật hằng tuần");
      expect(answer.sources.map((s) => s.id), question).not.toContain("faq-cua-can-bo-xa");
    }
  });
});
