import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startService, type Service } from "../../src/app/service.js";
import { STAFF_FAQ_FILE, staffFaqEntry } from "../../src/storage/staff-faq.js";
import { KNOWLEDGE_DIR } from "../helpers/engine.js";

const date = new Date("2026-11-21T20:00:00.000Z"); // 22/11/2026 03:00 in Vietnam

describe("staffFaqEntry", () => {
  it("should write a heading, a paraphrase without diacritics, the answer, the office as source and who answered in a comment", () => {
    const md = staffFaqEntry({ question: "Lớp học dùng điện thoại  ở đâu?", answer: "Tại nhà văn hóa thôn.", staff: "vhxh", office: "Ủy ban nhân dân xã Cộng Hòa", date });
    expect(md).toBe(
      "\n## Lớp học dùng điện thoại ở đâu?\n\n- lop hoc dung dien thoai o dau?\n\nTại nhà văn hóa thôn.\n\nNguồn: Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, 22/11/2026\n\n<!-- cán bộ trả lời: vhxh, 22/11/2026 -->\n",
    );
  });

  it("should mask personal numbers and keep headings and source lines out of the answer", () => {
    const md = staffFaqEntry({
      question: "## Gọi ai khi mất sóng?",
      answer: "# Gọi số 0912 345 678\nNguồn: tt14 › Điều 5\nHoặc gọi 113.",
      staff: "a b<script>",
      office: "Ủy ban nhân dân xã; tt14 › Điều 5",
      date,
    });
    expect(md).not.toContain("0912");
    expect(md).not.toMatch(/^#\s/m);
    expect(md.match(/^Nguồn\s*:/gm)).toHaveLength(1);
    expect(md).toContain("Nguồn: Ủy ban nhân dân xã tt14 Điều 5, trả lời của cán bộ");
    expect(md).toContain("113");
    expect(md).toContain("cán bộ trả lời: abscript,");
    expect(md.match(/^## /gm)).toHaveLength(1);
  });

  it("should refuse an empty question or answer, and a question with a number, name, house number or hamlet", () => {
    const office = "Ủy ban nhân dân xã Cộng Hòa";
    expect(() => staffFaqEntry({ question: " ", answer: "Có ạ, tại xã.", staff: "x", office, date })).toThrow();
    expect(() => staffFaqEntry({ question: "Hỏi gì đó ở đây?", answer: "", staff: "x", office, date })).toThrow();
    for (const question of ["Gọi ai 0912345678?", "Nhà ông Nguyễn Văn Tám ở đâu?", "Số nhà 12 có sóng không?", "Thôn 3 có sóng không?"]) {
      expect(() => staffFaqEntry({ question, answer: "Có ạ, tại xã.", staff: "x", office, date }), question).toThrow();
    }
  });
});

describe("saving a staff answer as FAQ and re-indexing without a restart", () => {
  let dir: string;
  let service: Service;
  const question = "Lịch sinh hoạt câu lạc bộ dưỡng sinh ở nhà văn hóa thôn là khi nào?";

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-faq-"));
    await cp(KNOWLEDGE_DIR, path.join(dir, "knowledge"), { recursive: true });
    const config = createConfig({ KNOWLEDGE_DIR: path.join(dir, "knowledge"), DATA_DIR: path.join(dir, "data"), PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" });
    service = await startService(config, createLogger("silent"));
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("should answer the saved question from the officials' file at once", async () => {
    const before = await service.engine.answer({ question });
    expect(before.kind).toBe("handoff");
    const docsBefore = service.engine.knowledge.chunks.length;
    await service.saveStaffFaq({ question, answer: "Câu lạc bộ dưỡng sinh sinh hoạt vào sáng thứ bảy hằng tuần ở nhà văn hóa; bà con hỏi trưởng thôn.", staff: "vhxh", office: "Ủy ban nhân dân xã Cộng Hòa" });
    expect(service.engine.knowledge.chunks.length).toBe(docsBefore + 1);
    for (const q of [question, "lich sinh hoat cau lac bo duong sinh o nha van hoa thon la khi nao"]) {
      const after = await service.engine.answer({ question: q });
      expect(after.kind).toBe("faq");
      expect(after.answer).toContain("sáng thứ bảy hằng tuần");
      expect(after.sources[0]).toMatchObject({ id: "faq-cua-can-bo-xa", title: expect.stringMatching(/^Ủy ban nhân dân xã Cộng Hòa, trả lời của cán bộ, \d\d\/\d\d\/\d{4}$/), url: null });
    }
  });

  it("should keep the old knowledge serving and the FAQ file unchanged when the re-index fails", async () => {
    const file = path.join(dir, "knowledge", STAFF_FAQ_FILE);
    const before = await readFile(file, "utf8");
    const chunks = service.engine.knowledge.chunks.length;
    await writeFile(path.join(dir, "knowledge", "hong.md"), "---\nid: Not A Slug\n---\n# x\n");
    await expect(service.saveStaffFaq({ question: "Một câu hỏi khác về lớp học?", answer: "Một câu trả lời khác.", staff: "vhxh", office: "Ủy ban nhân dân xã Cộng Hòa" })).rejects.toMatchObject({ code: "KNOWLEDGE_INVALID" });
    expect(await readFile(file, "utf8")).toBe(before);
    expect(service.engine.knowledge.chunks.length).toBe(chunks);
    expect((await service.engine.answer({ question })).kind).toBe("faq");
    await rm(path.join(dir, "knowledge", "hong.md"));
  });

  it("should count web-chat answers for the statistics without keeping their text", async () => {
    const before = service.store.stats({ days: 1 }).perDay.at(-1)?.questions ?? 0;
    const res = await fetch(`http://127.0.0.1:${service.port}/api/ask`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "Số 0912345678 của tôi dùng VNeID mức 2 được không?" }),
    });
    expect(res.status).toBe(200);
    const stats = service.store.stats({ days: 1 });
    expect(stats.perDay.at(-1)?.questions).toBe(before + 1);
    expect(stats.topQuestions.some((q) => q.question.includes("VNeID"))).toBe(false);
    expect(stats.lowestConfidence.every((r) => r.channel !== "web" || r.question === null)).toBe(true);
  });

  it("should share one re-index between concurrent callers", async () => {
    const [a, b] = [service.reindex(), service.reindex()];
    expect(a).toBe(b);
    await a;
  });
});
