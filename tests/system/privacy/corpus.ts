/**
 * Privacy corpus: residents' questions carrying phone numbers, ID numbers (CCCD, old CMND) and
 * bank account numbers in the ways people type them, and questions whose numbers must stay
 * (hotlines, amounts, dates, years, legal references). Numbers are made up.
 */

export type SensitiveKind = "phone" | "id" | "account";

export interface SensitiveCase {
  readonly text: string;
  /** The identifying numbers in `text`, digits only. */
  readonly numbers: readonly string[];
  readonly kind: SensitiveKind;
}

const c = (kind: SensitiveKind, text: string, ...numbers: string[]): SensitiveCase => ({ kind, text, numbers });

/** Questions with numbers that must never be stored or logged as typed. */
export const SENSITIVE: readonly SensitiveCase[] = [
  // Mobile numbers: 03x, 05x, 07x, 08x, 09x; national, +84 and 84 forms; spaces, dots, dashes, parentheses.
  c("phone", "Số điện thoại của tôi là 0912 345 678, cán bộ gọi lại giúp tôi với.", "0912345678"),
  c("phone", "sdt cua toi la 0987.654.321 nho can bo goi lai", "0987654321"),
  c("phone", "Gọi cho con tôi số +84 903 112 233 được không?", "0903112233"),
  c("phone", "goi giup em so 84 978 456 123 de hoi ve ho tro dien thoai", "0978456123"),
  c("phone", "Điện thoại nhà tôi (+84) 386 227 419 có còn dùng được khi tắt sóng 2G không?", "0386227419"),
  c("phone", "sđt: 035-821-7764, cần hỏi về gói hỗ trợ 500.000 đồng", "0358217764"),
  c("phone", "so cua me toi 0333 918 264 la may 2G co dung duoc nua khong", "0333918264"),
  c("phone", "Tôi dùng số 0562.441.987 của Vietnamobile, máy bàn phím có phải đổi không?", "0562441987"),
  c("phone", "em o xa cong hoa, sdt 0589 123 764, dang ky vneid muc 2 o dau", "0589123764"),
  c("phone", "Anh gọi lại số 070 523 8816 giúp tôi nhé", "0705238816"),
  c("phone", "sdt0773456129 hoi ve thanh toan qr", "0773456129"),
  c("phone", "Mẹ tôi có số 0794-562-318, bị gọi lừa đảo giả danh công an thì làm sao?", "0794562318"),
  c("phone", "so dien thoai (+84)838 556 417 bi khoa sim sau khi tat 2g", "0838556417"),
  c("phone", "Nhắn Zalo cho tôi qua 0868 321 907 được không?", "0868321907"),
  c("phone", "0396.555.821 la so cua bo toi, ong dung may cuc gach", "0396555821"),
  c("phone", "Số của tôi là +84-912-678-345, tôi là hộ nghèo.", "0912678345"),
  c("phone", "sđt 0981234576 đăng ký nhận hỗ trợ điện thoại", "0981234576"),
  c("phone", "Liên hệ với tôi: (+84) 97 865 4312.", "0978654312"),
  c("phone", "so dt cua ba noi 84-0945-731-268 nha", "0945731268"),
  c("phone", "Tôi ở Phú Tân, điện thoại 0822 765 419, xin hỏi lớp dạy dùng điện thoại", "0822765419"),
  c("phone", "goi so 0855.129.673 hoac 0912 222 519 de xac nhan", "0855129673", "0912222519"),
  c("phone", "so cua toi la 0 9 4 5 1 2 3 8 7 6 nhe", "0945123876"),
  c("phone", "Tôi tên Lan, SĐT:0918.27.36.45, hỏi về dịch vụ công trực tuyến", "0918273645"),
  c("phone", "số điện thoại (034) 621 8795 bị gọi mạo danh nhà mạng", "0346218795"),
  c("phone", "so may ban nha toi (0236) 3821 567 co bi anh huong khong", "02363821567"),
  c("phone", "📞 Zalo 0703 998 124 nhé anh, em cần hỏi về VNeID", "0703998124"),
  c("phone", "số cũ 0168 765 4321 của tôi giờ đổi thành số nào?", "01687654321"),
  c("phone", "goi 0934123867 0976234519 giup toi voi", "0934123867", "0976234519"),
  c("phone", "Momo 0938 471 265 có phải tài khoản ngân hàng không?", "0938471265"),
  c("phone", "Số 0359 - 642 - 718 của tôi có phải đổi máy không?", "0359642718"),
  c("phone", "SO DIEN THOAI 0886.432.159 CUA TOI BI KHOA", "0886432159"),
  c("phone", "Số điện thoại của tôi là 0912 888 364".normalize("NFD"), "0912888364"),
  c("phone", "nhan tin vao so +84 56 2871 943 giup em", "0562871943"),
  // CCCD (12 digits) and old CMND (9 digits).
  c("id", "Căn cước của tôi số 001203004567, làm VNeID mức 2 ở đâu?", "001203004567"),
  c("id", "cccd 079 186 002 345 bi mat thi lam the nao", "079186002345"),
  c("id", "Số CCCD: 0381-9300-1726, tôi muốn kích hoạt VNeID.", "038193001726"),
  c("id", "can cuoc cong dan 036.095.012.884 cua toi bi ai do dung vay tien", "036095012884"),
  c("id", "CCCD001198007653 xin cấp lại ở đâu", "001198007653"),
  c("id", "Tôi mất căn cước mang số 0260 8500 3417, báo ở đâu?", "026085003417"),
  c("id", "so can cuoc 052199004128 dang ky sim chinh chu", "052199004128"),
  c("id", "Mã định danh cá nhân 040 302 004 719 của cháu tôi", "040302004719"),
  c("id", "con toi cccd 001305012358 co duoc ho tro dien thoai khong", "001305012358"),
  c("id", "CMND cũ của tôi là 025 418 763, có cần đổi sang căn cước không?", "025418763"),
  c("id", "cmnd 186552094 het han roi", "186552094"),
  c("id", "Chứng minh nhân dân số 271-845-369 bị mất", "271845369"),
  c("id", "CMT 212.563.874 của bà tôi còn dùng được không?", "212563874"),
  // Bank accounts and cards (8–19 digits), grouped or not.
  c("account", "STK của tôi 0071 0001 23456 Vietcombank, chuyển 500.000 đồng hỗ trợ vào đây được không?", "0071000123456"),
  c("account", "so tk 1903 6677 1122 45 techcombank", "19036677112245"),
  c("account", "Tài khoản Agribank 3300 205 478 196 nhận tiền hỗ trợ", "3300205478196"),
  c("account", "stk 19036543217014 tcb", "19036543217014"),
  c("account", "chuyen vao tk 2141-0000-987654 bidv", "21410000987654"),
  c("account", "Số tài khoản MB: 0901234567890", "0901234567890"),
  c("account", "so the atm 9704 0512 3456 7890 bi nuot the", "9704051234567890"),
  c("account", "Stk 8 số: 45678123 ngân hàng ACB", "45678123"),
  c("account", "chuyen khoan cho toi qua stk 0451000398765 vcb nhe", "0451000398765"),
  c("account", "tài khoản 9876 5432 1012 3456 789 của tôi bị trừ tiền lạ", "9876543210123456789"),
  c("account", "Tôi bị lừa chuyển 5.000.000 đồng vào STK 0681 0039 4752 Vietinbank", "068100394752"),
  // Several kinds in one message.
  c("phone", "Nhờ xã ghi giúp: CCCD 001301008765, SĐT 0977 345 812, STK 1027 3456 9988 Vietcombank.", "001301008765", "0977345812", "102734569988"),
  c("phone", "toi bi lua chuyen 3.000.000 dong vao stk 0691 0045 8863, ke lua dung so 0569 823 417", "069100458863", "0569823417"),
  c("phone", "SĐT 0914 555 238 và CCCD 079 305 117 624 để đăng ký sim chính chủ", "0914555238", "079305117624"),
];

/** Questions whose numbers are public or harmless: masking must leave them exactly as typed. */
export const HARMLESS: readonly string[] = [
  "Gọi 113, 114, 115 khi khẩn cấp có mất tiền không?",
  "goi 113 114 115 mien phi khong",
  "Tổng đài 1800 1091 hoặc 1900 8198 hỗ trợ miễn phí không?",
  "tong dai viettel 18008098, vinaphone 18001091, mobifone 18001090",
  "tong dai 1900.9095 la cua ai",
  "Hộ nghèo được hỗ trợ 500.000 đồng từ ngày 12/12/2022 phải không?",
  "ho tro 500000 dong mot may dung khong",
  "Chuyển khoản trên 10.000.000 đồng phải xác thực khuôn mặt à?",
  "chuyen khoan tren 10000000 dong co phai xac thuc khong",
  "chuyen 20 000 000 đ co can xac thuc sinh trac hoc khong",
  "giá máy 1.500.000đ có được hỗ trợ không",
  "ngan sach 1.200.000.000 dong cho ha tang so",
  "Từ ngày 12.12.2022 bắt đầu hỗ trợ phải không?",
  "ngay 15-09-2026 tat song 2G dung khong",
  "moc 2026-09-15 la tat han 2g a",
  "Kế hoạch giai đoạn 2021-2025 của xã đặt mục tiêu gì?",
  "năm 2025 và năm 2026 có gì thay đổi?",
  "Điều 5, khoản 2 Thông tư 14/2022/TT-BTTTT nói gì?",
  "Quyết định 2269/QĐ-TTg hỗ trợ ai?",
  "Nghị định 356/2025/NĐ-CP và Luật 91/2025/QH15 bảo vệ gì?",
  "Máy 4G có VoLTE thì còn dùng được không? mạng 5G thì sao",
  "95% hộ gia đình có cáp quang đến năm 2025 phải không",
  "tốc độ 70 Mb/s và 150 Mb/s là bao nhiêu",
  "mã OTP 123456 có được đưa cho người khác không",
  "báo lừa đảo qua 5656 hoặc 156 được không",
  "lúc 7:30 sáng ngày 1/7/2025 bỏ cấp huyện",
  "dân số xã 12.345 người",
];

/** Digits only. */
export const digitsOf = (text: string): string => text.replace(/\D/g, "");

/**
 * What must never appear in storage or logs for one number, digits only: a phone number without
 * its leading 0 (so "+84 912…", "84 912…" and "0912…" are all caught), other numbers whole.
 */
export function needleOf(number: string): string {
  return /^0\d{9,10}$/.test(number) ? number.slice(1) : number;
}

/** Every number of the corpus as a needle. */
export const NEEDLES: readonly string[] = [...new Set(SENSITIVE.flatMap((s) => s.numbers.map(needleOf)))];

/**
 * `text` with separators between digits removed (spaces, dots, dashes, parentheses, "+", "/"),
 * so that a number is found in whatever formatting it was written.
 */
export function collapseSeparators(text: string): string {
  return text.replace(/(?<=\d)[\s.\-()+/\\]+(?=\d)/gu, "");
}

/** The needles found in `text` (in any formatting). */
export function leakedNumbers(text: string): string[] {
  const flat = collapseSeparators(text);
  return NEEDLES.filter((n) => flat.includes(n));
}
