/**
 * Written Vietnamese to the way it is read aloud on the commune loudspeaker: numbers, dates,
 * percentages, document numbers, phone and service numbers, "4G", units and abbreviations are
 * spelled out; URLs are dropped (a bare web address is read as "… chấm vn"). Only the form
 * changes, never the content: every number said is the number written in the source.
 */

const DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"] as const;

function digit(d: number): string {
  return DIGITS[d] as string;
}

/** 0..999 as read inside a larger number; `full` forces "không trăm" / "linh" (not the leading group). */
function spellGroup(n: number, full: boolean): string {
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const units = n % 10;
  const out: string[] = [];
  if (hundreds > 0 || full) out.push(digit(hundreds), "trăm");
  if (tens === 0) {
    // "một trăm linh năm": a unit after hundreds with no tens is joined by "linh".
    if (units > 0) {
      if (out.length) out.push("linh");
      out.push(digit(units));
    }
  } else if (tens === 1) {
    out.push("mười");
    if (units === 5) out.push("lăm");
    else if (units > 0) out.push(digit(units));
  } else {
    out.push(digit(tens), "mươi");
    // After "mươi", 1 is read "mốt", 4 "tư" and 5 "lăm".
    if (units === 1) out.push("mốt");
    else if (units === 4) out.push("tư");
    else if (units === 5) out.push("lăm");
    else if (units > 0) out.push(digit(units));
  }
  return out.join(" ");
}

/**
 * A non-negative integer in words: 15 → "mười lăm", 21 → "hai mươi mốt", 105 → "một trăm linh
 * năm", 2022 → "hai nghìn không trăm hai mươi hai", 2_500_000 → "hai triệu năm trăm nghìn".
 */
export function spellInteger(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`spellInteger: ${n} is not a non-negative safe integer`);
  if (n === 0) return "không";
  const parts: string[] = [];
  const billions = Math.floor(n / 1e9);
  const rest = n % 1e9;
  if (billions > 0) parts.push(spellInteger(billions), "tỷ");
  const groups: Array<[number, string]> = [
    [Math.floor(rest / 1e6), "triệu"],
    [Math.floor(rest / 1e3) % 1000, "nghìn"],
    [rest % 1000, ""],
  ];
  for (const [group, scale] of groups) {
    if (group === 0) continue;
    // After a higher group, a group below 100 is read in full: "hai nghìn không trăm hai mươi hai".
    parts.push(spellGroup(group, parts.length > 0));
    if (scale) parts.push(scale);
  }
  return parts.join(" ");
}

/** Digits read one by one ("113" → "một một ba"), as phone and service numbers are read. */
export function spellDigits(digits: string): string {
  return [...digits.replace(/\D/g, "")].map((d) => digit(Number(d))).join(" ");
}

/**
 * A number as written in Vietnamese text: "500.000" (thousands dots), "12,8" (decimal comma),
 * "07" (leading zero). The fraction is read as a number ("146,64" → "một trăm bốn mươi sáu phẩy
 * sáu mươi tư"), or digit by digit when it starts with 0 ("0,05" → "không phẩy không năm").
 */
export function spellNumber(written: string): string {
  const [intPart = "", frac] = written.split(",");
  const whole = spellInteger(Number(intPart.replace(/\./g, "")));
  if (frac === undefined || frac === "") return whole;
  const fraction = frac.startsWith("0") ? spellDigits(frac) : spellInteger(Number(frac));
  return `${whole} phẩy ${fraction}`;
}

/** "12/12/2022" → "ngày mười hai tháng mười hai năm hai nghìn không trăm hai mươi hai". */
export function spellDate(day: number | null, month: number | null, year: number | null): string {
  const parts: string[] = [];
  if (day !== null) parts.push("ngày", spellInteger(day));
  // Months are read "tháng một" … "tháng tư" … "tháng mười hai".
  if (month !== null) parts.push("tháng", month === 4 ? "tư" : spellInteger(month));
  if (year !== null) parts.push("năm", spellInteger(year));
  return parts.join(" ");
}

// ---- abbreviations and document numbers ------------------------------------------------------

/** Written abbreviations and their spoken form (longest first where one contains another). */
const ABBREVIATIONS: ReadonlyArray<[RegExp, string]> = [
  [/\bBộ TT&TT\b/g, "Bộ Thông tin và Truyền thông"],
  [/\bSở TT&TT\b/g, "Sở Thông tin và Truyền thông"],
  [/\bTT&TT\b/g, "Thông tin và Truyền thông"],
  [/\bBộ KH&CN\b/g, "Bộ Khoa học và Công nghệ"],
  [/\bSở KH&CN\b/g, "Sở Khoa học và Công nghệ"],
  [/\bKH&CN\b/g, "Khoa học và Công nghệ"],
  [/\bUBND\b/g, "Ủy ban nhân dân"],
  [/\bHĐND\b/g, "Hội đồng nhân dân"],
  [/\bCCCD\b/g, "căn cước công dân"],
  [/\bTP\.\s*/g, "thành phố "],
  [/\bv\.v\.?/g, "vân vân"],
];

/** Who issues a document, by the code after its number ("14/2022/TT-BTTTT"). */
const ISSUERS: ReadonlyArray<[RegExp, string]> = [
  [/TTg$/, "của Thủ tướng Chính phủ"],
  [/NĐ-CP$/, "của Chính phủ"],
  [/NQ-CP$/, "của Chính phủ"],
  [/BTTTT/, "của Bộ Thông tin và Truyền thông"],
  [/BKHCN$/, "của Bộ Khoa học và Công nghệ"],
  [/UBTVQH\d*$/, "của Ủy ban Thường vụ Quốc hội"],
  [/^QH\d*$/, "của Quốc hội"],
  [/NHNN$/, "của Ngân hàng Nhà nước"],
  [/BCA$/, "của Bộ Công an"],
];

function issuerOf(code: string): string | null {
  for (const [pattern, phrase] of ISSUERS) if (pattern.test(code)) return phrase;
  return null;
}

/** Words that, right before a short number, say it is dialled or texted ("gọi 113", "gửi 5656"). */
const DIAL_CONTEXT = /(?:gọi|gọi tới|gọi đến|gọi vào|gửi|gửi tới|gửi đến|nhắn|nhắn tới|nhắn đến|tổng đài|đầu số|đường dây nóng|hotline|số điện thoại|qua|hoặc|số)\s*$/iu;
/** A counting word after a number means it is a quantity, not a number to dial. */
const QUANTITY_AFTER = /^\s*(?:%|đồng|người|hộ|thuê bao|triệu|nghìn|tỷ|năm|ngày|tháng|giờ|phút|lần|xã|tỉnh|bộ|nước|trạm|máy|điều|khoản|chương|mục|tổ|thành viên|số|cơ quan|doanh nghiệp)/iu;
/** National service numbers, read digit by digit wherever they stand alone. */
const SERVICE_NUMBERS = new Set(["111", "112", "113", "114", "115", "116", "156", "5656", "9191"]);

function isPhoneLike(raw: string, before: string, after: string): boolean {
  const digits = raw.replace(/\D/g, "");
  if (/^0\d{2,}$/.test(digits) && !raw.includes(",")) return true;
  if (/^1[89]00\d{4,}$/.test(digits)) return true;
  if (raw.includes(",") || /^\d{1,3}(?:\.\d{3})+$/.test(raw)) return false;
  if (QUANTITY_AFTER.test(after)) return false;
  if (SERVICE_NUMBERS.has(digits)) return true;
  return digits.length >= 3 && DIAL_CONTEXT.test(before);
}

const UNITS: ReadonlyArray<[string, string]> = [
  [String.raw`Mb\/s|Mbps|Mbit\/s`, "mê-ga-bít mỗi giây"],
  [String.raw`Gb\/s|Gbps`, "gi-ga-bít mỗi giây"],
  ["MHz", "mê-ga-héc"],
  ["GHz", "gi-ga-héc"],
  ["GB", "gi-ga-bai"],
  ["MB", "mê-ga-bai"],
  ["km", "ki-lô-mét"],
  ["VNĐ|VND|đ", "đồng"],
];
const UNIT_AFTER_NUMBER = UNITS.map(([written, spoken]) => [new RegExp(String.raw`(\d)\s?(?:${written})(?![\p{L}\p{N}])`, "gu"), `$1 ${spoken}`] as const);

const ORDINALS = ["", "nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín"] as const;

/** Host of a web address, read aloud: "dichvucong.gov.vn" → "dichvucong chấm gov chấm vn". */
function spokenHost(address: string): string {
  const host = address.replace(/^https?:\/\//i, "").replace(/^www\./i, "").split(/[/?#]/)[0] ?? "";
  return host.replace(/\.$/, "").split(".").join(" chấm ");
}

const HOST = String.raw`(?:[a-z0-9-]+\.)+(?:vn|com|net|org|gov|info|edu|me|io)(?:\/[^\s),;]*)?`;
const URL_IN_PARENS = /\s*\([^()]*?https?:\/\/[^()]*\)/giu;
const SCHEME_URL = /https?:\/\/[^\s),;]+/giu;
const BARE_HOST = new RegExp(String.raw`(?<![\p{L}\p{N}@.\/])${HOST}(?![\p{L}\p{N}])`, "giu");

/** A parenthesis that only repeats an abbreviation ("(Bộ TT&TT)", "(NCSC)", "(DNC)") adds nothing when heard. */
const ABBREVIATION_PARENS = /\s*\((?:(?:Bộ|Sở|Cục|Zalo)\s+)?[\p{Lu}\d&.\- ]{2,}\)/gu;

/**
 * Rewrites one sentence of knowledge text for reading aloud. The result has no digits and no
 * URLs (a bare web address becomes "… chấm vn"); the wording is kept.
 */
export function toSpoken(text: string): string {
  let s = text.normalize("NFC");
  s = s.replace(URL_IN_PARENS, "");
  // A sentence's full stop is not part of the address before it.
  const keepStop = (address: string) => `${spokenHost(address)}${address.endsWith(".") ? "." : ""}`;
  s = s.replace(SCHEME_URL, keepStop);
  s = s.replace(BARE_HOST, keepStop);
  s = s.replace(ABBREVIATION_PARENS, "");
  // A list marker means nothing once the item is read on its own.
  s = s.replace(/^(?:\d{1,2}\.\s+|Bước\s+\d{1,2}\s*:\s*)/u, "");

  // Document numbers: "Thông tư 14/2022/TT-BTTTT" → "Thông tư số mười bốn năm … của Bộ …";
  // "Kế hoạch số 05/KH-UBND" → "Kế hoạch số năm của Ủy ban nhân dân"; "09-NQ/TU" → "số chín".
  const documentNumber = (so: string | undefined, num: string, year: string | null, code: string | null, follow: string | undefined) => {
    const issuer = follow || !code ? null : issuerOf(code);
    const yearPart = year ? ` năm ${spellInteger(Number(year))}` : "";
    return `${so ?? "số "}${spellInteger(Number(num))}${yearPart}${issuer ? ` ${issuer}` : ""}${follow ?? ""}`;
  };
  s = s.replace(/(\bsố\s+)?\b(\d+)\/(\d{4})\/([\p{Lu}Đ][\p{L}\d&-]*)(\s+(?:của|do)\b)?/gu, (_m, so: string | undefined, num: string, year: string, code: string, follow: string | undefined) =>
    documentNumber(so, num, year, code, follow),
  );
  s = s.replace(/(\bsố\s+)?\b(\d+)[/-]([\p{Lu}Đ][\p{L}\d&]*(?:[-/][\p{Lu}Đ][\p{L}\d&]*)*)(\s+(?:của|do)\b)?/gu, (_m, so: string | undefined, num: string, code: string, follow: string | undefined) =>
    documentNumber(so, num, null, code, follow),
  );

  for (const [pattern, spoken] of ABBREVIATIONS) s = s.replace(pattern, spoken);

  // Dates: d/m/yyyy, m/yyyy, d/m. A "ngày" or "tháng" already written is not repeated.
  s = s.replace(/(\bngày\s+)?\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/giu, (_m, ngay: string | undefined, d: string, m: string, y: string) => {
    const spoken = spellDate(Number(d), Number(m), Number(y));
    return ngay ? `${ngay}${spoken.replace(/^ngày /, "")}` : spoken;
  });
  s = s.replace(/(\btháng\s+)?\b(\d{1,2})\/(\d{4})\b/giu, (m0, thang: string | undefined, m: string, y: string) => {
    if (Number(m) < 1 || Number(m) > 12) return m0;
    const spoken = spellDate(null, Number(m), Number(y));
    return thang ? `${thang}${spoken.replace(/^tháng /, "")}` : spoken;
  });
  // "Thông tư 14/2022" without its code: a document number and its year.
  s = s.replace(/(\bsố\s+)?\b(\d+)\/(\d{4})\b/gu, (_m, so: string | undefined, num: string, year: string) => documentNumber(so, num, year, null, undefined));
  s = s.replace(/(\bngày\s+)?\b(\d{1,2})\/(\d{1,2})\b(?!\/)/giu, (m0, ngay: string | undefined, d: string, m: string) => {
    if (Number(d) < 1 || Number(d) > 31 || Number(m) < 1 || Number(m) > 12) return m0;
    const spoken = spellDate(Number(d), Number(m), null);
    return ngay ? `${ngay}${spoken.replace(/^ngày /, "")}` : spoken;
  });

  // Enumerations written "(1) …, (2) …" are read "thứ nhất, …, thứ hai, …".
  s = s.replace(/\((\d)\)\s*/g, (_m, n: string) => `thứ ${ORDINALS[Number(n)] ?? spellInteger(Number(n))}, `);
  // Network generations and their pairs: "4G/5G" → "bốn G, năm G".
  s = s.replace(/\b(\d)G\b/g, (_m, n: string) => `${spellInteger(Number(n))} G`);
  s = s.replace(/(\p{L}) G\/(?=\p{L}+ G\b)/gu, "$1 G, ");
  for (const [pattern, spoken] of UNIT_AFTER_NUMBER) s = s.replace(pattern, spoken);
  s = s.replace(/(\d)\s*%/g, "$1 phần trăm");
  // Ranges between numbers: "2021–2030", "20–26" → "… đến …".
  s = s.replace(/(\d)\s*[–—-]\s*(\d)/g, "$1 đến $2");
  // A slash after a word is "per" or "over": "85 thuê bao/100 dân", "điện thoại thông minh/tổng thuê bao".
  s = s.replace(/(\p{L})\s*\/\s*(?=[\p{L}\d])/gu, "$1 trên ");

  // A digit inside a word ("M2M", "IPv6") is said on its own: "M hai M".
  s = s.replace(/(?<=\p{L})(?=\d)|(?<=\d)(?=\p{L})/gu, " ");

  // The remaining numbers: dialled numbers digit by digit, the others as amounts.
  s = s.replace(/\d+(?:[.,]\d+)*/g, (raw, offset: number, whole: string) => {
    const before = whole.slice(Math.max(0, offset - 24), offset);
    const after = whole.slice(offset + raw.length);
    if (isPhoneLike(raw, before, after)) {
      // Long numbers are read in groups, as people dictate them: "0339 035 656".
      const digits = raw.replace(/\D/g, "");
      const groups = digits.length > 6 ? [digits.slice(0, 4), ...(digits.slice(4).match(/.{1,3}/g) ?? [])] : [digits];
      return groups.map(spellDigits).join(", ");
    }
    // Vietnamese writes thousands with dots and decimals with a comma ("2.500.000", "12,8").
    if (/^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(raw) || /^\d+(?:,\d+)?$/.test(raw)) return spellNumber(raw);
    return raw
      .split(/[.,]/)
      .map((part) => spellNumber(part))
      .join(", ");
  });

  // Punctuation that cannot be heard.
  s = s
    .replace(/\s*&\s*/g, " và ")
    .replace(/[[\]*_`#]/g, "")
    .replace(/\s+[–—-]\s+/g, ", ")
    .replace(/\s*\(\s*/g, ", ")
    .replace(/\s*\)\s*(?=[.,;:!?]|$)/g, "")
    .replace(/\s*\)\s*/g, ", ")
    .replace(/,\s*,/g, ",")
    .replace(/,\s*([.;:!?])/g, "$1")
    .replace(/^[,\s]+/, "")
    .replace(/\s{2,}/g, " ")
    .replace(/\s+([.,;:!?])/g, "$1")
    .trim();
  return s;
}
