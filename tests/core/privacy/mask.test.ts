import { describe, expect, it } from "vitest";
import { MASK_LABEL, maskSensitive } from "../../../src/core/privacy/mask.js";
import { NOTICE_VERSION, privacyNotice } from "../../../src/core/privacy/notice.js";

const { phone, id, account } = MASK_LABEL;

describe("masking identifying numbers", () => {
  it.each([
    ["sdt cua toi 0912345678 nha", `sdt cua toi ${phone} nha`],
    ["Số điện thoại của tôi là 0912 345 678.", `Số điện thoại của tôi là ${phone}.`],
    ["Số điện thoại của tôi là 0912.345.678".normalize("NFD"), `${"Số điện thoại của tôi là ".normalize("NFD")}${phone}`],
    ["goi +84 912 345 678 giup", `goi ${phone} giup`],
    ["so may ban 0236.3583223", `so may ban ${phone}`],
    ["cccd 001203004567", `cccd ${id}`],
    ["Căn cước: 001-203-004-567", `Căn cước: ${id}`],
    ["cmnd cu 123456789", `cmnd cu ${id}`],
    ["stk 1903 5566 7788 99 techcombank", `stk ${account} techcombank`],
    ["tài khoản 19035566778899 ở Vietcombank", `tài khoản ${account} ở Vietcombank`],
  ])("should hide %j", (input, expected) => {
    expect(maskSensitive(input)).toBe(expected);
  });

  it.each([
    "hộ trợ 500.000 đồng từ ngày 12/12/2022",
    "chuyen khoan tren 10.000.000 dong phai xac thuc",
    "goi 113, 114, 115 mien phi; bao lua dao 5656 hoac 156",
    "tong dai 1900 8198 cua nha mang",
    "ma otp 123456 la gi",
    "tat song 2g sau 15/9/2026, 3g 9/2028",
    "dat 70Mb/s va 150 Mb/s",
  ])("should leave %j alone", (input) => {
    expect(maskSensitive(input)).toBe(input);
  });
});

/**
 * Each sentence is checked as typed (NFC), in NFD, in capitals and without diacritics: the words
 * around a number must never decide whether it is hidden. `{#}` marks where the number goes.
 */
const SPELLINGS: ReadonlyArray<readonly [string, (s: string) => string]> = [
  ["NFC", (s) => s.normalize("NFC")],
  ["NFD", (s) => s.normalize("NFD")],
  ["capitals", (s) => s.toUpperCase()],
];
type Sentence = readonly [withDiacritics: string, withoutDiacritics: string];
/** Every spelling of every sentence: [label, text with {#}]. */
const spelled = (sentences: readonly Sentence[]) =>
  sentences.flatMap(([marked, plain]) => [...SPELLINGS.map(([name, f]) => [name, f(marked)] as const), ["no diacritics", plain] as const]);

const PHONE_SENTENCES: readonly Sentence[] = [
  ["Số điện thoại của tôi là {#}, cán bộ gọi lại giúp.", "so dien thoai cua toi la {#}, can bo goi lai giup."],
  ["Gọi {#} giúp tôi với", "goi {#} giup toi voi"],
];
/** The ways a phone number's digits are spaced that masking used to miss (issue 14), and the usual ones. */
const PHONE_FORMS: ReadonlyArray<readonly [string, string]> = [
  ["double spaces", "0912  345  678"],
  ["triple spaces", "0912   345   678"],
  ["tabs", "0912\t345\t678"],
  ["en dashes", "0912–345–678"],
  ["en dashes between spaces", "0912 – 345 – 678"],
  ["em dashes", "0912—345—678"],
  ["minus signs", "0912−345−678"],
  ["non-breaking hyphens", "0912\u2011345\u2011678"],
  ["commas", "0912,345,678"],
  ["zero-width spaces", "0912\u200B345\u200B678"],
  ["word joiners", "0912\u2060345\u2060678"],
  ["zero-width no-break spaces", "0912\uFEFF345\uFEFF678"],
  ["narrow no-break spaces", "0912\u202F345\u202F678"],
  ["no-break spaces", "0912\u00A0345\u00A0678"],
  ["thin spaces", "0912\u2009345\u2009678"],
  ["figure spaces", "0912\u2007345\u2007678"],
  ["a zero-width space beside a space", "0912 \u200B345 \u200B678"],
  ["mixed blanks", "0912\t345\u202F678"],
  ["+84 and en dashes", "+84–912–345–678"],
  ["(+84) and narrow no-break spaces", "(+84)\u202F912\u202F345\u202F678"],
  ["dots", "0912.345.678"],
  ["single spaces", "0912 345 678"],
];

const CMND_SENTENCES: readonly Sentence[] = [
  ["Bà tôi mất giấy, số {#}, làm lại ở đâu?", "ba toi mat giay, so {#}, lam lai o dau?"],
  ["{#} của bà tôi còn dùng được không?", "{#} cua ba toi con dung duoc khong?"],
];
/** A nine-digit CMND number written like an amount, with no "CMND" before it. */
const CMND_FORMS: ReadonlyArray<readonly [string, string]> = [
  ["dots", "212.563.872"],
  ["commas", "212,563,872"],
  ["spaces", "212 563 872"],
  ["narrow no-break spaces", "212\u202F563\u202F872"],
  ["en dashes", "212–563–872"],
];

const ACCOUNT_SENTENCES: readonly Sentence[] = [
  ["STK {#} đồng ý chuyển nhé", "stk {#} dong y chuyen nhe"],
  ["Tôi đồng ý, tài khoản của tôi là {#} đồng ý nhận hỗ trợ", "toi dong y, tai khoan cua toi la {#} dong y nhan ho tro"],
];
/** A 12-digit account number followed by "đồng ý" (agree), which is not the currency. */
const ACCOUNT_FORMS: ReadonlyArray<readonly [string, string]> = [
  ["bare", "102734569988"],
  ["in fours", "1027 3456 9988"],
  ["in fours with en dashes", "1027–3456–9988"],
];

const cases = (sentences: readonly Sentence[], forms: ReadonlyArray<readonly [string, string]>, label: string) =>
  forms.flatMap(([form, number]) => spelled(sentences).map(([spelling, text]) => [form, spelling, text.replace("{#}", number), text.replace("{#}", label)] as const));

describe("masking numbers however their digits are spaced (table-driven, every spelling)", () => {
  it.each(cases(PHONE_SENTENCES, PHONE_FORMS, phone))("should hide a phone number written with %s (%s): %j", (_form, _spelling, input, expected) => {
    expect(maskSensitive(input)).toBe(expected);
    expect(maskSensitive(expected)).toBe(expected);
  });

  it.each(cases(CMND_SENTENCES, CMND_FORMS, id))("should hide a CMND number written with %s and no keyword (%s): %j", (_form, _spelling, input, expected) => {
    expect(maskSensitive(input)).toBe(expected);
  });

  it.each(cases(ACCOUNT_SENTENCES, ACCOUNT_FORMS, account))("should hide a 12-digit account (%s) followed by \"đồng ý\" (%s): %j", (_form, _spelling, input, expected) => {
    expect(maskSensitive(input)).toBe(expected);
  });

  it.each(spelled([["Số {#} đồng ý nhận nhé", "so {#} dong y nhan nhe"]]).map(([spelling, text]) => [spelling, text.replace("{#}", "102734569988")] as const))(
    "should hide a 12-digit number followed by \"đồng ý\" with no keyword (%s): %j",
    (_spelling, input) => {
      expect(maskSensitive(input)).not.toContain("102734569988");
    },
  );
});

/** Numbers that must stay as typed, with the sentence around them. */
const HARMLESS_SENTENCES: readonly Sentence[] = [
  // Dates.
  ["Tắt sóng 2G từ ngày 15/9/2026 phải không?", "tat song 2g tu ngay 15/9/2026 phai khong?"],
  ["Hạn cuối là 15.09.2026 hay 15–09–2026?", "han cuoi la 15.09.2026 hay 15–09–2026?"],
  ["mốc 2026-09-15 và 2026 – 09 – 15", "moc 2026-09-15 va 2026 – 09 – 15"],
  // Amounts.
  ["Hộ nghèo được hỗ trợ 500.000 đồng", "ho ngheo duoc ho tro 500.000 dong"],
  ["hỗ trợ 500 000 đồng, 500\u202F000 đ hay 500000đ?", "ho tro 500 000 dong, 500\u202F000 d hay 500000d?"],
  ["Chuyển khoản trên 10\u202F000\u202F000 đồng phải xác thực", "chuyen khoan tren 10\u202F000\u202F000 dong phai xac thuc"],
  ["Giá máy 1 500 000, ngân sách 1.200.000.000", "gia may 1 500 000, ngan sach 1.200.000.000"],
  ["Dân số tỉnh 212.563.872 người", "dan so tinh 212.563.872 nguoi"],
  ["Kinh phí 212.563.000 cho hạ tầng số", "kinh phi 212.563.000 cho ha tang so"],
  ["Tôi đồng ý 100% với kế hoạch", "toi dong y 100% voi ke hoach"],
  // Legal references.
  ["Thông tư 14/2022/TT-BTTTT nói gì?", "thong tu 14/2022/tt-btttt noi gi?"],
  ["Quyết định 2269/QĐ-TTg và Nghị định 356/2025/NĐ-CP", "quyet dinh 2269/qd-ttg va nghi dinh 356/2025/nd-cp"],
  // Hotlines and emergency numbers.
  ["Báo lừa đảo qua 156 hoặc 5656, cấp cứu 115", "bao lua dao qua 156 hoac 5656, cap cuu 115"],
  ["Gọi 113, 114, 115 hay 113  114  115 hay 113–114–115", "goi 113, 114, 115 hay 113  114  115 hay 113–114–115"],
  ["Tổng đài 1800\u202F1091 hoặc 1900–8198", "tong dai 1800\u202F1091 hoac 1900–8198"],
  // Versions.
  ["Zalo phiên bản 23.10.1, iOS 17.4.1, Android 14.0.0.123", "zalo phien ban 23.10.1, ios 17.4.1, android 14.0.0.123"],
  ["Ứng dụng VNeID phiên bản 2.1.0.20231015 lỗi", "ung dung vneid phien ban 2.1.0.20231015 loi"],
  ["Máy tính build 19045.3803, bản v2.1.0.20231015", "may tinh build 19045.3803, ban v2.1.0.20231015"],
  // Years.
  ["năm 2025, 2026 và giai đoạn 2021–2025", "nam 2025, 2026 va giai doan 2021–2025"],
  ["các năm 2020,2021,2022 và 2021 – 2025, 2025\t2026", "cac nam 2020,2021,2022 va 2021 – 2025, 2025\t2026"],
];

describe("leaving public and harmless numbers alone (table-driven, every spelling)", () => {
  it.each(spelled(HARMLESS_SENTENCES))("should keep (%s) %j as typed", (_spelling, text) => {
    expect(maskSensitive(text)).toBe(text);
  });
});

describe("the privacy notice", () => {
  it("should say what is kept, why, how long, who is responsible and how to delete", () => {
    const text = privacyNotice({ retentionDays: 90, controller: "UBND xã Minh Tân", deleteHow: "gõ /xoadulieu" });
    expect(text).toContain("90 ngày");
    expect(text).toContain("UBND xã Minh Tân");
    expect(text).toContain("gõ /xoadulieu");
    expect(text).toMatch(/che đi trước khi lưu/);
    expect(text).toContain("91/2025/QH15");
    expect(text).toContain("356/2025/NĐ-CP");
    expect(NOTICE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
