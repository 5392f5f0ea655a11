import { describe, expect, it } from "vitest";
import { checkFaithfulness, citationMarkers, extractFacts, violationForModel, violationReason } from "../../src/core/answering/guard.js";

const facts = (text: string) => extractFacts(text).map((f) => `${f.kind}:${f.value}`);

describe("extractFacts", () => {
  it.each([
    ["500.000 đồng", "number:500000"],
    ["500000 đồng", "number:500000"],
    ["500 000 đồng", "number:500000"],
    ["500,000 đồng", "number:500000"],
    ["500 nghìn đồng", "number:500000"],
    ["500 ngàn đồng", "number:500000"],
    ["năm trăm nghìn đồng", "number:500000"],
    ["1,5 triệu đồng", "number:1500000"],
    ["1.500.000 đồng", "number:1500000"],
    ["hai mươi lăm hộ", "number:25"],
    ["đầu tư hai trăm triệu đồng", "number:200000000"],
    ["đạt 12,8%", "number:12.8"],
    ["đạt 12.8%", "number:12.8"],
    ["mạng 4G", "network:4g"],
    ["máy 2G/3G", ["network:2g", "network:3g"]],
    ["tốc độ 70Mb/s", "number:70"],
    ["ngày 01/07/2025", "date:1/7/2025"],
    ["ngày 1/7/2025", "date:1/7/2025"],
    ["ngày 1-7-2025", "date:1/7/2025"],
    ["ngày 1.7.2025", "date:1/7/2025"],
    ["ngày 1 tháng 7 năm 2025", "date:1/7/2025"],
    ["tháng 7/2025", "month:7/2025"],
    ["tháng 7 năm 2025", "month:7/2025"],
    ["từ 1/11", "day:1/11"],
    ["ngày 1 tháng 11", "day:1/11"],
    // An article also states its number.
    ["Điều 5", ["article:điều 5", "number:5"]],
    ["khoản 2", ["article:khoản 2", "number:2"]],
    ["Chương IV", "article:chương iv"],
    ["Thông tư 14/2022/TT-BTTTT", "document:14/2022/tt-btttt"],
    ["Quyết định 2269/QĐ-TTg", "document:2269/qđ-ttg"],
    ["Luật 91/2025/QH15", "document:91/2025/qh15"],
    ["gọi 0912 345 678", "phone:0912345678"],
    ["gọi 0912.345.678", "phone:0912345678"],
    ["gọi +84 912 345 678", "phone:0912345678"],
    ["tổng đài 1900 1234", "phone:19001234"],
    ["tổng đài 156", "number:156"],
    ["vào https://dichvucong.gov.vn/p/home.", "url:dichvucong.gov.vn/p/home"],
    ["vào dichvucong.gov.vn.", "url:dichvucong.gov.vn"],
    ["vào www.VNeID.gov.vn", "url:vneid.gov.vn"],
    ["thư tới hotro@mic.gov.vn", "url:hotro@mic.gov.vn"],
  ] as Array<[string, string | string[]]>)("should read %j as %s", (text, expected) => {
    expect(facts(text)).toEqual(Array.isArray(expected) ? expected : [expected]);
  });

  it("should read the same facts in NFD and in capitals", () => {
    const text = "Ngày 12/12/2022, hộ nhận 500.000 đồng theo Điều 5.";
    expect(facts(text.normalize("NFD"))).toEqual(facts(text));
    expect(facts(text.toUpperCase())).toEqual(facts(text));
  });

  it.each([
    ["citation markers", "Hộ được hỗ trợ [1][2, 3]."],
    ["list numbering and step numbers", "1. Mở ứng dụng.\n2) Chọn Bước 3 là đăng nhập."],
    ["ordinary words", "Hàng nghìn người được triệu tập, đầu tư, một số, năm nay, thứ tư."],
    ["a ratio", "tỷ lệ hộ gia đình"],
  ])("should find no facts in %s", (_what, text) => {
    expect(facts(text)).toEqual([]);
  });

  it("should not take 'tỷ lệ' for a billion", () => {
    expect(facts("Đến năm 2025 tỷ lệ hộ đạt 80%")).toEqual(["number:2025", "number:80"]);
  });
});

describe("checkFaithfulness", () => {
  const evidence = new Map([
    [1, "[1] Hỗ trợ điện thoại › 4. Hai hình thức (1/11/2026)\nCó hai hình thức. Hộ tự mua máy từ ngày 12/12/2022 được hỗ trợ 500.000 đồng theo Điều 5 Thông tư 14/2022/TT-BTTTT."],
    [2, "[2] Báo lừa đảo (1/11/2026)\nGọi tổng đài 156 hoặc 0912.345.678, vào https://dichvucong.gov.vn/p/home để tra cứu."],
  ]);
  const check = (text: string, cited: number[] = [], allowed?: string) => checkFaithfulness({ text, cited, evidence, ...(allowed ? { allowed } : {}) });

  it("should pass a text whose every fact is in a cited block, in any written form", () => {
    const r = check("Hộ được 500 nghìn đồng (năm trăm nghìn đồng) nếu mua máy từ 12/12/2022, tức từ tháng 12/2022, theo Điều 5 Thông tư 14/2022/TT-BTTTT [1]. Có 2 hình thức [1].");
    expect(r).toEqual({ ok: true, cited: [1] });
  });

  it("should pass a phone number, a shortened address and today's date given in the prompt", () => {
    expect(check("Gọi 0912 345 678 hoặc vào dichvucong.gov.vn [2]. Hôm nay là 22/11/2026.", [], "22/11/2026").ok).toBe(true);
  });

  it("should list the cited ids first as they appear, then the extra ones", () => {
    expect(check("Gọi 156 [2]. Có hai hình thức [1].", [2, 1]).cited).toEqual([2, 1]);
    expect(citationMarkers("a [2] b [1, 3] c [2]")).toEqual([2, 1, 3]);
  });

  it.each([
    ["a number not in the cited block", "Hộ được hỗ trợ 600.000 đồng [1].", "unfaithful:number 600000", "«600.000»"],
    ["a fact that is only in an uncited block", "Gọi tổng đài 156 [1].", "unfaithful:number 156", "«156»"],
    ["a wrong date", "Từ ngày 1/1/2023 [1].", "unfaithful:date 1/1/2023", "«1/1/2023»"],
    ["a network generation the block does not name", "Chỉ máy 5G dùng được [1].", "unfaithful:network 5g", "«5g»"],
    ["a wrong article", "Theo Điều 7 [1].", "unfaithful:article điều 7, number 7", "«điều 7»"],
    ["a wrong document number", "Theo Thông tư 15/2022/TT-BTTTT [1].", "unfaithful:document 15/2022/tt-btttt", "«15/2022/tt-btttt»"],
    ["a wrong phone number", "Gọi 0912 345 679 [2].", "unfaithful:phone 0912345679", "«0912 345 679»"],
    ["a longer address than the source", "Vào dichvucong.gov.vn/p/home/dang-ky [2].", "unfaithful:url dichvucong.gov.vn/p/home/dang-ky", "«dichvucong.gov.vn/p/home/dang-ky»"],
    ["an amount in words", "Hộ được hỗ trợ một triệu đồng [1].", "unfaithful:number 1000000", "«một triệu»"],
  ])("should reject %s", (_what, text, reason, named) => {
    const r = check(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(violationReason(r.violation)).toBe(reason);
    expect(violationForModel(r.violation)).toContain(named);
  });

  it("should reject citations of blocks that were not given, and text without citations", () => {
    const unknown = check("Có hai hình thức [1][4].", [7]);
    expect(unknown).toMatchObject({ ok: false, violation: { kind: "cited_unknown", ids: [4, 7] } });
    if (!unknown.ok) expect(violationForModel(unknown.violation)).toContain("[4], [7]");
    expect(check("Có hai hình thức.", [1])).toMatchObject({ ok: false, violation: { kind: "no_citation" } });
  });
});
