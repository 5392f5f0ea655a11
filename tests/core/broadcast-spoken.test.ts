import { describe, expect, it } from "vitest";
import { spellDate, spellDigits, spellInteger, spellNumber, toSpoken } from "../../src/core/broadcast/index.js";

describe("spellInteger", () => {
  it.each([
    [0, "không"],
    [5, "năm"],
    [10, "mười"],
    [15, "mười lăm"],
    [21, "hai mươi mốt"],
    [24, "hai mươi tư"],
    [25, "hai mươi lăm"],
    [105, "một trăm linh năm"],
    [110, "một trăm mười"],
    [1005, "một nghìn không trăm linh năm"],
    [2022, "hai nghìn không trăm hai mươi hai"],
    [2025, "hai nghìn không trăm hai mươi lăm"],
    [2026, "hai nghìn không trăm hai mươi sáu"],
    [500_000, "năm trăm nghìn"],
    [1_000_000, "một triệu"],
    [2_500_000, "hai triệu năm trăm nghìn"],
    [129_000_000, "một trăm hai mươi chín triệu"],
    [2_000_000_000, "hai tỷ"],
  ])("should read %i as «%s»", (n, words) => {
    expect(spellInteger(n)).toBe(words);
  });

  it("should refuse negative and fractional numbers", () => {
    expect(() => spellInteger(-1)).toThrow(RangeError);
    expect(() => spellInteger(1.5)).toThrow(RangeError);
  });
});

describe("spellNumber, spellDigits and spellDate", () => {
  it.each([
    ["500.000", "năm trăm nghìn"],
    ["1.000.000", "một triệu"],
    ["2.500.000", "hai triệu năm trăm nghìn"],
    ["12,8", "mười hai phẩy tám"],
    ["146,64", "một trăm bốn mươi sáu phẩy sáu mươi tư"],
    ["0,05", "không phẩy không năm"],
    ["07", "bảy"],
  ])("should read the written number %s as «%s»", (written, words) => {
    expect(spellNumber(written)).toBe(words);
  });

  it("should read service numbers digit by digit", () => {
    expect(spellDigits("113")).toBe("một một ba");
    expect(spellDigits("5656")).toBe("năm sáu năm sáu");
  });

  it("should read dates the way they are said", () => {
    expect(spellDate(12, 12, 2022)).toBe("ngày mười hai tháng mười hai năm hai nghìn không trăm hai mươi hai");
    expect(spellDate(31, 12, 2025)).toBe("ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi lăm");
    expect(spellDate(null, 4, 2026)).toBe("tháng tư năm hai nghìn không trăm hai mươi sáu");
    expect(spellDate(15, 9, null)).toBe("ngày mười lăm tháng chín");
  });
});

describe("toSpoken", () => {
  it.each([
    ["Hỗ trợ bằng tiền 500.000 đồng.", "Hỗ trợ bằng tiền năm trăm nghìn đồng."],
    ["Thông tư có hiệu lực ngày 12/12/2022.", "Thông tư có hiệu lực ngày mười hai tháng mười hai năm hai nghìn không trăm hai mươi hai."],
    ["Mốc này là 15/9/2026.", "Mốc này là ngày mười lăm tháng chín năm hai nghìn không trăm hai mươi sáu."],
    ["Dự kiến vào tháng 9/2028.", "Dự kiến vào tháng chín năm hai nghìn không trăm hai mươi tám."],
    ["Máy 4G có VoLTE, mạng 4G/5G.", "Máy bốn G có VoLTE, mạng bốn G, năm G."],
    ["Tỷ lệ đạt 95%.", "Tỷ lệ đạt chín mươi lăm phần trăm."],
    ["Khoảng 12,8% số thuê bao.", "Khoảng mười hai phẩy tám phần trăm số thuê bao."],
    ["Gọi 113 khi cần công an.", "Gọi một một ba khi cần công an."],
    ["Số 156 là tổng đài.", "Số một năm sáu là tổng đài."],
    ["Soạn tin gửi 5656.", "Soạn tin gửi năm sáu năm sáu."],
    ["Đường dây nóng 0339035656.", "Đường dây nóng không ba ba chín, không ba năm, sáu năm sáu."],
    ["Băng tần 1800 MHz.", "Băng tần một nghìn tám trăm mê-ga-héc."],
    ["Tốc độ đạt 70Mb/s.", "Tốc độ đạt bảy mươi mê-ga-bít mỗi giây."],
    ["Đạt 85 thuê bao/100 dân.", "Đạt tám mươi lăm thuê bao trên một trăm dân."],
    ["Theo Thông tư 14/2022/TT-BTTTT.", "Theo Thông tư số mười bốn năm hai nghìn không trăm hai mươi hai của Bộ Thông tin và Truyền thông."],
    ["Theo Quyết định 2269/QĐ-TTg.", "Theo Quyết định số hai nghìn hai trăm sáu mươi chín của Thủ tướng Chính phủ."],
    ["Bộ Thông tin và Truyền thông (Bộ TT&TT) đã nhập vào Bộ KH&CN.", "Bộ Thông tin và Truyền thông đã nhập vào Bộ Khoa học và Công nghệ."],
    ["Vào Cổng Dịch vụ công (dichvucong.gov.vn) để nộp.", "Vào Cổng Dịch vụ công, dichvucong chấm gov chấm vn, để nộp."],
    ["Nguồn (https://vnexpress.net/bai-viet-123.html, 2025) ghi vậy.", "Nguồn ghi vậy."],
    ["Ưu tiên: (1) hộ có công, (2) hộ chính sách.", "Ưu tiên: thứ nhất, hộ có công, thứ hai, hộ chính sách."],
    ["Thiết bị M2M dùng mạng 2G.", "Thiết bị M hai M dùng mạng hai G."],
  ])("should say «%s» as «%s»", (written, spoken) => {
    expect(toSpoken(written)).toBe(spoken);
  });

  it("should give the same result for NFD input", () => {
    const nfc = "Hộ nghèo nhận 500.000 đồng từ ngày 12/12/2022.";
    expect(toSpoken(nfc.normalize("NFD"))).toBe(toSpoken(nfc));
  });

  it("should leave no digit in any sentence", () => {
    const text = "Ngày 10/10/2024 còn 771.072 thuê bao; từ 0 giờ 16/10/2024 khóa 2 chiều, số 1900.292900 tốn 8.000 đ mỗi phút (1/2026).";
    expect(toSpoken(text)).not.toMatch(/\d/);
  });
});
