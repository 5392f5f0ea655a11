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
