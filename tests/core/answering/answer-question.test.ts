import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../../src/app/engine.js";
import { REPO_ROOT, testEngine } from "../../helpers/engine.js";

const CONG_HOA = "ke-hoach-ha-tang-so-cong-hoa-2025";
const PHU_TAN = "ke-hoach-ha-tang-so-phu-tan-2025";
const nfd = (s: string) => s.normalize("NFD");

let engine: Engine;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ engine, cleanup } = await testEngine());
});
afterAll(async () => cleanup());

describe("answering from the commune plans", () => {
  it("should answer the Cộng Hòa mobile broadband speed target (70) from its plan", async () => {
    const r = await engine.answer({ question: "xa cong hoa ke hoach toc do bang rong di dong bao nhieu" });
    expect(["extractive", "faq"]).toContain(r.kind);
    expect(r.answer).toContain("70");
    expect(r.commune).toBe("cong-hoa");
    expect(r.sources[0]?.id).toBe(CONG_HOA);
    expect(r.sources[0]?.section).toMatch(/MỤC TIÊU|băng rộng di động/);
  });

  it("should answer the same question for Phú Tân typed in NFD from Phú Tân's plan only", async () => {
    const r = await engine.answer({ question: nfd("Xã Phú Tân kế hoạch tốc độ băng rộng di động bao nhiêu") });
    expect(["extractive", "faq"]).toContain(r.kind);
    expect(r.answer).toMatch(/70 ?Mb/);
    expect(r.commune).toBe("phu-tan");
    expect(r.sources.map((s) => s.id)).toEqual(expect.arrayContaining([PHU_TAN]));
    expect(r.sources.some((s) => s.id === CONG_HOA)).toBe(false);
  });

  it("should give the same answer with and without diacritics", async () => {
    const a = await engine.answer({ question: "Tỷ lệ dùng chung trạm BTS của xã Cộng Hòa là bao nhiêu?" });
    const b = await engine.answer({ question: "ty le dung chung tram bts cua xa cong hoa la bao nhieu" });
    const c = await engine.answer({ question: nfd("Tỷ lệ dùng chung trạm BTS của xã Cộng Hòa là bao nhiêu?") });
    expect(a.answer).toContain("30%");
    expect(b.answer).toBe(a.answer);
    expect(c.answer).toBe(a.answer);
  });

  it("should use the default commune when none is named, and say whose figures they are", async () => {
    const r = await engine.answer({ question: "ke hoach toc do bang rong co dinh bao nhieu" });
    expect(r.commune).toBe("cong-hoa");
    expect(r.answer).toContain("150");
    expect(r.answer).toContain("Đây là thông tin của xã Cộng Hòa");
    expect(r.sources.every((s) => s.id !== PHU_TAN)).toBe(true);
  });

  it("should let the channel's commune choice override the default", async () => {
    const r = await engine.answer({ question: "bao cao ket qua thuc hien ke hoach truoc ngay nao", commune: "phu-tan" });
    expect(r.answer).toContain("10/11");
    expect(r.sources[0]?.id).toBe(PHU_TAN);
  });

  it("should number a quoted answer's sources so that every [n] in it refers to one", async () => {
    // A passage of the plan, not a curated entry, answers this one (no entry is on it).
    const r = await engine.answer({ question: "Kế hoạch Phú Tân giao Đài Truyền thanh xã tuyên truyền những nội dung gì về dịch vụ viễn thông công ích?" });
    const markers = [...r.answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(r.sources.length).toBeGreaterThan(0);
    for (const n of markers) expect(n).toBeLessThanOrEqual(r.sources.length);
    if (r.kind === "extractive") expect(new Set(markers).size).toBe(r.sources.length);
  });

  it("should quote the responsible office from the heading when asked who is in charge", async () => {
    const r = await engine.answer({ question: "Ai chịu trách nhiệm tuyên truyền kế hoạch hạ tầng số ở xã Cộng Hòa?" });
    expect(r.answer).toMatch(/Văn ho[aá]-Xã hội/);
  });
});

describe("finding the right section of a document", () => {
  it.each([
    ["Huyện bây giờ còn không, bỏ từ khi nào?"],
    ["huyen bay gio con khong, bo tu khi nao"],
  ])("should answer about districts, not the ministry, although the title names both: %s", async (q) => {
    // The title "Bộ máy … bộ, sở, huyện, tỉnh" gives every section the word "huyện".
    const r = await engine.answer({ question: q });
    expect(r.answer).toContain("1/7/2025");
    expect(r.sources[0]?.id).toBe("bo-may-2025");
  });

  it.each([["dt 3g cua toi con xai dc den bao gio"], ["Điện thoại 3G của tôi còn xài được đến bao giờ?"]])(
    "should find the one passage on 3G among many on 2G: %s",
    async (q) => {
      const r = await engine.answer({ question: q });
      expect(r.answer).toContain("9/2028");
    },
  );
});

describe("questions that ask for a duration or a figure", () => {
  it.each([["Quỹ VTCI rà soát danh sách hộ trong bao lâu?"], ["quy vtci ra soat danh sach ho trong bao lau"]])(
    "should quote the number of days, not only the step that names the Fund: %s",
    async (q) => {
      const r = await engine.answer({ question: q });
      expect(r.answer).toContain("10 ngày");
    },
  );

  it.each([
    ["Kế hoạch hạ tầng số xã mình đặt tốc độ mạng di động bao nhiêu?"],
    ["ke hoach ha tang so xa minh dat toc do mang di dong bn"],
    // FAQ entries on the plan must not take the slots of the plan's own passages.
    ["Kế hoạch hạ tầng số của xã mình đặt mục tiêu tốc độ 4G bao nhiêu?"],
    [nfd("kế hoạch hạ tầng số của xã mình đặt mục tiêu tốc độ 4g bao nhiêu")],
  ])(
    "should quote the plan's figure rather than a sentence about the plan: %s",
    async (q) => {
      const r = await engine.answer({ question: q });
      expect(r.answer).toMatch(/70 ?Mb/);
    },
  );
});

describe("curated FAQ answers", () => {
  it.each([
    ["nha e ho can ngheo, da tu mua dt cam ung roi thi co dc ho tro tien ko"],
    [nfd("Nhà em hộ cận nghèo, đã tự mua điện thoại cảm ứng rồi thì có được hỗ trợ tiền không?")],
  ])("should answer the cash form for a household that bought its own phone, citing TT 14/2022: %s", async (q) => {
    const r = await engine.answer({ question: q });
    expect(r.kind).toBe("faq");
    expect(r.answer).toContain("500.000 đồng");
    expect(r.answer).toContain("12/12/2022");
    // The FAQ cites the knowledge it rests on, never itself.
    expect(r.sources[0]?.id).toBe("tt14-2022-ho-tro-dien-thoai");
    expect(r.sources[0]?.title).toContain("Thông tư 14/2022");
    expect(r.sources.every((s) => !s.id.startsWith("faq-"))).toBe(true);
  });

  it("should keep one commune's FAQ entries out of another commune's answers", async () => {
    const r = await engine.answer({ question: "xa phu tan ty le dung chung tram bts bao nhieu" });
    expect(r.answer).toContain("35");
    expect(r.answer).not.toContain("30%");
    expect(r.commune).toBe("phu-tan");
  });

  it("should say whose plan it is when a commune's FAQ answers a question that named no commune", async () => {
    const r = await engine.answer({ question: "ke hoach dat ty le dung chung tram bts bao nhieu" });
    expect(r.answer).toContain("30");
    expect(r.answer).toContain("Đây là thông tin của xã Cộng Hòa");
  });

  it("should prefer a passage that covers the question better than a neighbouring FAQ entry", async () => {
    // The FAQ has an entry on mobile subscriptions per 100 people; the question asks about fixed ones.
    // Folded, "có" and "cố" are the same word; the pair "cố định" is what tells the two apart.
    for (const q of ["Ở Phú Tân, số thuê bao Internet cố định trên 100 dân theo kế hoạch là mấy?", "o phu tan so thue bao internet co dinh tren 100 dan theo ke hoach la may"]) {
      const r = await engine.answer({ question: q });
      expect(r.answer, q).toContain("25%");
    }
  });
});

describe("standing notices of documents", () => {
  it.each([["ke hoach xa cong hoa ty le thue bao bang rong co dinh tren 100 dan"], ["Kế hoạch xã Cộng Hòa: tỷ lệ thuê bao băng rộng cố định trên 100 dân?"]])(
    "should say a plan figure was a 2025 target, not a result: %s",
    async (q) => {
      const r = await engine.answer({ question: q });
      expect(r.answer).toContain("25");
      expect(r.answer).toMatch(/mục tiêu/);
      expect(r.answer).toMatch(/2025/);
      // The notice is said once, however many passages of the plan are quoted.
      expect((r.answer.match(/Lưu ý:/g) ?? []).length).toBeLessThanOrEqual(1);
    },
  );

  it("should not add a notice to answers from documents without one", async () => {
    const r = await engine.answer({ question: "Làm VNeID mức 2 ở đâu?" });
    expect(r.answer).not.toContain("Lưu ý:");
  });
});

describe("refusals and handoff", () => {
  it.each([
    ["kq xsmb hom nay ve con gi", "ngoài phạm vi"],
    ["hom nay gia vang bao nhieu vay ad", "ngoài phạm vi"],
    ["Con tôi sốt cao 40 độ thì uống thuốc gì?", "115"],
    ["Cho tôi số điện thoại và địa chỉ của ông Nguyễn Văn A ở thôn 3", "thông tin cá nhân"],
  ])("should refuse %j without quoting any knowledge", async (question, phrase) => {
    for (const q of [question, nfd(question)]) {
      const r = await engine.answer({ question: q });
      expect(r.kind).toBe("refusal");
      expect(r.sources).toEqual([]);
      expect(r.answer).toContain(phrase);
    }
  });

  it("should decline a question outside the assistant's field, not answer with an unrelated passage", async () => {
    const r = await engine.answer({ question: "Cách ủ phân chuồng cho ruộng lúa thế nào?" });
    expect(r.kind).toBe("refusal");
    expect(r.diagnostics.refusal).toBe("off_topic");
    expect(r.answer).toContain("ngoài phạm vi");
    expect(r.sources).toEqual([]);
  });

  it("should hand off an in-field question the knowledge cannot answer, naming whom to ask", async () => {
    const r = await engine.answer({ question: "Lịch sinh hoạt câu lạc bộ dưỡng sinh ở nhà văn hóa thôn là khi nào?" });
    expect(["handoff", "refusal"]).toContain(r.kind);
    expect(r.sources).toEqual([]);
    expect(r.answer).toContain("chưa có thông tin");
    expect(r.answer).toContain("cán bộ");
  });

  it("should invite the question when a message only asks to ask", async () => {
    const r = await engine.answer({ question: "ad ơi cho hỏi với" });
    expect(r.kind).toBe("smalltalk");
    expect(r.answer).toContain("cứ gõ câu hỏi");
  });
});

describe("seed evaluation questions about the plans", () => {
  const seeds = readFileSync(path.join(REPO_ROOT, "eval/old-set.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; topic: string; question: string; must_mention_any: string[] })
    .filter((q) => q.topic === "plan" && q.id.startsWith("s"));

  it("should include the copied seed plan questions", () => {
    expect(seeds.length).toBeGreaterThanOrEqual(6);
  });

  it.each(seeds.map((s) => [s.id, s] as const))("should answer %s right", async (_id, seed) => {
    const r = await engine.answer({ question: seed.question });
    expect(["extractive", "faq"]).toContain(r.kind);
    const answer = r.answer.normalize("NFC").toLowerCase();
    expect(seed.must_mention_any.some((m) => answer.includes(m.normalize("NFC").toLowerCase()))).toBe(true);
  });
});
