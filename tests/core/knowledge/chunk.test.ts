import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/core/errors.js";
import { chunkDocument } from "../../../src/core/knowledge/chunk.js";
import { parseKnowledgeFile } from "../../../src/core/knowledge/parse.js";
import { KNOWLEDGE_DIR } from "../../helpers/engine.js";

const read = (rel: string) => ({ path: rel, text: readFileSync(path.join(KNOWLEDGE_DIR, rel), "utf8") });

describe("the commune plans as knowledge", () => {
  const congHoa = chunkDocument(parseKnowledgeFile(read("plans/ke-hoach-ha-tang-so-cong-hoa-2025.md")));
  const phuTan = chunkDocument(parseKnowledgeFile(read("plans/ke-hoach-ha-tang-so-phu-tan-2025.md")));

  it("should validate the front matter of both plans", () => {
    const doc = parseKnowledgeFile(read("plans/ke-hoach-ha-tang-so-cong-hoa-2025.md"));
    expect(doc.meta).toMatchObject({ id: "ke-hoach-ha-tang-so-cong-hoa-2025", kind: "plan", commune: "cong-hoa", as_of: "2025-01-07" });
    expect(doc.meta.source[0]?.name).toContain("Cộng Hoà");
    expect(doc.meta.edits?.length).toBeGreaterThan(0);
  });

  it("should make each plan target its own chunk with a citation path", () => {
    const speed = congHoa.find((c) => c.text.includes("70Mb/s"));
    expect(speed?.text).toBe("Tốc độ băng rộng di động (tốc độ tải xuống theo i-Speed) đạt 70Mb/s.");
    expect(speed?.section).toBe("II. MỤC TIÊU ĐẾN NĂM 2025 › 1. Mạng viễn thông băng rộng di động");
    expect(speed?.commune).toBe("cong-hoa");
    const targets = congHoa.filter((c) => c.section === "II. MỤC TIÊU ĐẾN NĂM 2025 › 1. Mạng viễn thông băng rộng di động");
    expect(targets).toHaveLength(6);
    expect(phuTan.filter((c) => c.section === "II. MỤC TIÊU ĐẾN NĂM 2025 › 2. Mạng viễn thông băng rộng cố định")).toHaveLength(4);
  });

  it("should keep ordered-list numbers and lettered duties under their office", () => {
    expect(phuTan.some((c) => c.section === "IV. KINH PHÍ THỰC HIỆN" && c.text.startsWith("1. Kinh phí từ dự toán chi ngân sách nhà nước"))).toBe(true);
    const radio = phuTan.filter((c) => c.section === "V. TỔ CHỨC THỰC HIỆN › 5. Đài Truyền thanh xã");
    expect(radio.map((c) => c.text.slice(0, 2))).toEqual(["a)", "b)", "c)"]);
  });

  it("should merge each plan's signature block into one sentence naming the signer", () => {
    const signer = (chunks: typeof congHoa) => chunks.filter((c) => c.section === "Nơi nhận, chữ ký" && c.text.includes(" ký ("));
    expect(signer(congHoa).map((c) => c.text)).toEqual(["Kế hoạch phát triển hạ tầng số xã Cộng Hoà đến năm 2025 do Đào Văn Tuyến ký (TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH)."]);
    expect(signer(phuTan).map((c) => c.text)).toEqual(["Kế hoạch phát triển hạ tầng số trên địa bàn xã Phú Tân đến năm 2025 do Phan Ngọc Nhất ký (KT. CHỦ TỊCH, PHÓ CHỦ TỊCH)."]);
    // The lines it was made of are not left behind as separate chunks.
    expect(phuTan.some((c) => c.text === "PHÓ CHỦ TỊCH" || c.text === "Phan Ngọc Nhất")).toBe(false);
    // The recipients' list stays as it is.
    expect(phuTan.some((c) => c.text === "Lưu: VT, VP-TK.")).toBe(true);
  });

  it("should give every chunk a unique id and index the title and section with the text", () => {
    const all = [...congHoa, ...phuTan];
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    const c = congHoa.find((x) => x.text.includes("85 thuê bao"));
    expect(c?.searchText).toContain("Mạng viễn thông băng rộng di động");
    expect(c?.searchText).toContain("Kế hoạch phát triển hạ tầng số xã Cộng Hoà");
  });
});

const FRONT = `---
id: hoi-dap-thu
title: Hỏi đáp thử
kind: faq
source:
  name: Tổ soạn thảo
  url: https://example.org/hoi-dap
  date: 2026-01-01
as_of: 2026-01-01
topics: [thu]
---
`;

describe("FAQ files", () => {
  it("should turn each ## entry into one chunk with paraphrases, answer and cited sources", () => {
    const text = `${FRONT}
# Hỏi đáp

## Gọi 113 có mất tiền không?

- goi 113 co mat tien ko
- gọi công an có tốn phí không

Gọi **113** không mất tiền.

Nguồn: tt14-2022 › Điều 4; lo-trinh-2g

## Câu không có trả lời

- chỉ có cách hỏi
`;
    const chunks = chunkDocument(parseKnowledgeFile({ path: "faq/thu.md", text }));
    expect(chunks).toHaveLength(1);
    const faq = chunks[0]?.faq;
    expect(faq?.question).toBe("Gọi 113 có mất tiền không?");
    expect(faq?.paraphrases).toEqual(["goi 113 co mat tien ko", "gọi công an có tốn phí không"]);
    expect(faq?.answer).toBe("Gọi 113 không mất tiền.");
    expect(faq?.cites).toEqual([
      { docId: "tt14-2022", section: "Điều 4" },
      { docId: "lo-trinh-2g", section: null },
    ]);
    expect(chunks[0]?.searchText).toContain("goi 113 co mat tien ko");
  });
});

describe("invalid knowledge files", () => {
  it.each([
    ["no front matter", "# Tiêu đề\n\nNội dung", /front matter/],
    ["an unknown kind", FRONT.replace("kind: faq", "kind: blog"), /kind/],
    ["a bad date", FRONT.replace("as_of: 2026-01-01", "as_of: 1/1/2026"), /as_of/],
    ["no source", FRONT.replace(/source:\n(?: {2}.*\n)+/, ""), /source/],
    ["a non-slug id", FRONT.replace("id: hoi-dap-thu", "id: Hỏi đáp"), /id/],
  ])("should reject a file with %s, naming the file and key", (_name, text, key) => {
    try {
      parseKnowledgeFile({ path: "x/bad.md", text });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("KNOWLEDGE_INVALID");
      expect((err as Error).message).toContain("x/bad.md");
      expect((err as Error).message).toMatch(key);
    }
  });
});

describe("section sources", () => {
  it("should attach a section's 'Nguồn:' line to its units (and sub-sections) without indexing it", () => {
    const text = `${FRONT.replace("kind: faq", "kind: guide")}
# Hướng dẫn

## Gọi khẩn cấp

Nguồn: Thông tư 14/2022/TT-BTTTT, Điều 4 (https://example.org/tt14, 28/10/2022)

- Gọi 113, 114, 115 không mất tiền.

### Khi gọi

- Nói rõ địa chỉ.

## Khác

- Không có nguồn riêng.
`;
    const chunks = chunkDocument(parseKnowledgeFile({ path: "g.md", text }));
    expect(chunks.map((c) => c.text)).toEqual(["Gọi 113, 114, 115 không mất tiền.", "Nói rõ địa chỉ.", "Không có nguồn riêng."]);
    expect(chunks[0]?.sourceNote).toContain("Điều 4");
    expect(chunks[0]?.url).toBe("https://example.org/tt14");
    expect(chunks[1]?.url).toBe("https://example.org/tt14");
    expect(chunks[2]?.sourceNote).toBeNull();
    expect(chunks[2]?.url).toBe("https://example.org/hoi-dap");
  });
});
