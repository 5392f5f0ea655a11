/**
 * Masks numbers that identify people before text is stored or logged: phone numbers, ID (CCCD /
 * CMND) numbers and bank account numbers, however their digits are spaced (spaces, tabs,
 * no-break, narrow or zero-width spaces, dots, dashes of every kind, bare commas). Dates
 * ("12/12/2022", "12.12.2022"), amounts ("500.000 đồng", "10000000 đ"), year ranges
 * ("2021-2025"), versions and public hotlines (113, 5656, 1800 1091) are left alone.
 */
import { fold } from "../text/normalize.js";

/** Characters that render as nothing: zero-width space, joiners, word joiner, BOM, soft hyphen. */
const INVISIBLE = String.raw`\u200B-\u200D\u2060\uFEFF\u00AD`;
/** One blank between digits: space, tab, no-break, narrow no-break and other Unicode spaces, or an invisible one. */
const GAP = String.raw`[\t\p{Zs}${INVISIBLE}]`;
/** Dots and dashes between digit groups: "-", "‐", "‑", "‒", "–", "—", "―", "−". */
const DASH_OR_DOT = String.raw`[.\-\u2010-\u2015\u2212]`;
/**
 * Between digit groups: up to three blanks ("0912  345  678", tabs), a dot or dash with at most
 * two blanks on either side ("0912 – 345 – 678"), or a comma with none ("0912,345,678"; with a
 * space after it, a comma separates the items of a list: "113, 114, 115").
 */
const HAS_DASH_OR_DOT = new RegExp(DASH_OR_DOT, "u");
const SEP = String.raw`(?:${GAP}{1,3}|${GAP}{0,2}${DASH_OR_DOT}${GAP}{0,2}|,)`;
/**
 * Digit groups joined by separators, optionally led by "+" or a code in parentheses:
 * "0912 345 678", "0912.345.678", "+84 912-345-678", "(+84) 912 345 678", "(0236) 3821 567".
 * Letters may touch the run ("sdt0912345678", "CCCD001203004567"); digits may not.
 */
const DIGIT_RUN = new RegExp(String.raw`(?<![\p{N}+])((?:\(\+?\d{1,4}\)${GAP}{0,3}|\+)?\d(?:${SEP}?\d){5,30})(?!\p{N})`, "gu");

export type MaskedKind = "phone" | "id" | "account";

/** Placeholders shown instead of the number (Vietnamese, readable by staff). */
export const MASK_LABEL: Readonly<Record<MaskedKind, string>> = {
  phone: "[số điện thoại đã ẩn]",
  id: "[số giấy tờ đã ẩn]",
  account: "[số tài khoản đã ẩn]",
};

/** Words before a number that say it identifies someone ("sđt", "CCCD", "STK"), folded; the last one counts. */
const IDENTITY_WORDS = /(?<![a-z])(sdt|dt|dien thoai|cccd|cmnd|cmt|can cuoc|chung minh|dinh danh|stk|tk|tai khoan|so the|the atm)(?![a-z])/g;
const ACCOUNT_WORDS = new Set(["stk", "tk", "tai khoan", "so the", "the atm"]);
/**
 * Money units right after a number ("đồng", "đ", "vnđ", "triệu", "ngàn" but not "ngân hàng"),
 * folded. "đồng ý" (agree), "đồng hồ", "đồng thời"… are words, not the currency.
 */
const MONEY_AFTER = new RegExp(
  String.raw`^[\s${INVISIBLE}]{0,3}(?:dong(?![\s${INVISIBLE}]+(?:y|ho|chi|bao|thoi|nghiep)(?![\p{L}\p{N}]))|d|vnd|trieu|ty|ti|nghin|ngan(?! hang)|usd)(?![\p{L}\p{N}])`,
  "u",
);
/**
 * What is counted right after a number ("212.563.872 người"), folded: a quantity, not an ID.
 * Units that fold like common words are left out ("ha" is also "hả", "tan" also "Tân").
 */
const COUNT_AFTER = new RegExp(String.raw`^[\s${INVISIBLE}]{0,3}(?:nguoi|ho(?! ten)|nhan khau|khau|luot|thue bao|km|m2|kg|lit|chiec)(?![\p{L}\p{N}])`, "u");
/** Words right before a number that make it a quantity or an amount ("dân số 212.563.872"), folded. */
const AMOUNT_BEFORE = /(?<![a-z])(?:dan so|so tien|tien|gia|ngan sach|kinh phi|chi phi|tong|khoang|gan|hon|tren|duoi|luong|thu nhap|von)[\s:]*$/;
/**
 * Words right before a number that make it a version ("phiên bản 2.1.0.20231015", "build
 * 19045.3803", "v2.1.0.20231015"), folded. Only for dotted numbers without a leading zero: "Zalo
 * 0703 998 124" is a phone number.
 */
const VERSION_BEFORE = /(?:(?<![a-z])(?:phien ban|ban cap nhat|version|ver|build|android|ios|windows)[\s:]*|(?<![a-z])v)$/;

/** Context around a number: the text just before and just after it. */
export interface NumberContext {
  readonly before?: string;
  readonly after?: string;
}

function isYear(group: string): boolean {
  return /^(?:19|20)\d{2}$/.test(group);
}

/** What stands between the digit groups of `raw`, in order. */
function separatorsOf(raw: string): string[] {
  return raw.replace(/^\D+/, "").split(/\d+/).slice(1, -1);
}

/** "12.12.2022", "15-09-2026", "2022-12-12", "15–09–2026": a date written with dots or dashes. */
function isDate(groups: readonly string[], raw: string): boolean {
  // Dots or dashes between the parts, not bare blanks ("12 12 2022" is not taken for a date).
  if (groups.length !== 3 || separatorsOf(raw).some((sep) => !HAS_DASH_OR_DOT.test(sep))) return false;
  const [a, b, c] = groups as [string, string, string];
  const dayMonth = (d: string, m: string) => d.length <= 2 && m.length <= 2 && Number(d) >= 1 && Number(d) <= 31 && Number(m) >= 1 && Number(m) <= 12;
  return (isYear(c) && dayMonth(a, b)) || (isYear(a) && dayMonth(c, b));
}

/**
 * Written like an amount: groups of three digits after the first, all behind the same single
 * thousands separator ("10.000.000", "1,500,000", "10 000 000" with a plain, no-break or narrow
 * no-break space).
 */
function isThousands(raw: string): boolean {
  const m = /^\d{1,3}([., \u00A0\u202F\u2009])\d{3}/u.exec(raw);
  if (!m) return false;
  const sep = m[1] as string;
  return new RegExp(String.raw`^\d{1,3}(?:[${sep}]\d{3})+$`, "u").test(raw);
}

/**
 * A number written like an amount that is more likely an ID: nine or twelve digits (the lengths
 * of CMND and CCCD numbers: "212.563.872"), not a round amount (last group "000"), and nothing
 * around it that makes it a quantity or a sum.
 */
function looksLikeId(digits: string, groups: readonly string[], context: NumberContext): boolean {
  if (digits.length !== 9 && digits.length !== 12) return false;
  if (groups.at(-1) === "000") return false;
  return !COUNT_AFTER.test(fold(context.after ?? "").slice(0, 16)) && !AMOUNT_BEFORE.test(fold(context.before ?? "").slice(-20));
}

/**
 * Classifies a run of digits as written (with its separators), or null when it is not
 * identifying. `context` helps with numbers that look like amounts or dates: money units after
 * the number keep it an amount; "sđt", "CCCD", "STK"… before it make it identifying.
 */
export function classifyNumber(raw: string, context: NumberContext = {}): MaskedKind | null {
  const digits = raw.replace(/\D/g, "");
  const groups = raw.split(/\D+/).filter(Boolean);
  const international = /^\(?\+/.test(raw) || /^\(84\)/.test(raw);
  const leadingZero = digits.startsWith("0");
  // Public numbers: hotlines (1900 xxxx, 1800 xxxx) and the emergency numbers 111–119 in a row.
  if (/^1[89]00\d{4,6}$/.test(digits)) return null;
  if (groups.length > 1 && groups.every((g) => /^11\d$/.test(g))) return null;
  // An amount: money units follow ("10000000 đồng", "500.000 đ"). Amounts never start with 0.
  if (!leadingZero && !international && MONEY_AFTER.test(fold(context.after ?? "").slice(0, 16))) return null;
  const identityWord = [...fold(context.before ?? "").slice(-30).matchAll(IDENTITY_WORDS)].at(-1)?.[1];
  if (!identityWord) {
    // Versions, thousands groups ("10.000.000", but "212.563.872" is a CMND number), dates
    // ("12.12.2022") and years ("2021-2025"), unless a word before the number says it is an ID
    // or account ("CMT 212.563.874").
    if (!leadingZero && separatorsOf(raw).every((sep) => sep === ".") && VERSION_BEFORE.test(fold(context.before ?? "").slice(-20))) return null;
    if (!leadingZero && !international && !/^84\d{9}$/.test(digits) && isThousands(raw)) return looksLikeId(digits, groups, context) ? "id" : null;
    if (isDate(groups, raw)) return null;
    if (groups.length > 1 && groups.every(isYear)) return null;
  }
  if (international || /^84\d{9}$/.test(digits) || /^840\d{9,10}$/.test(digits)) return "phone";
  if (/^0\d{9,10}$/.test(digits)) return "phone";
  // 9 and 12 digits are CMND and CCCD numbers, unless the resident said it is an account ("STK …").
  if (/^\d{12}$/.test(digits) || /^\d{9}$/.test(digits)) return identityWord && ACCOUNT_WORDS.has(identityWord) ? "account" : "id";
  if (digits.length >= 8 && digits.length <= 19) return "account";
  return null;
}

/**
 * A run too long for one number ("0934123867 0976234519", two phones separated by a space):
 * the groups are split into numbers, a phone number first where one fits, else the longest
 * identifying number; groups that fit nothing are kept.
 */
function maskGroups(run: string, context: NumberContext): string {
  const parts = run.split(new RegExp(`(${SEP})`, "u"));
  const groups = parts.filter((_, i) => i % 2 === 0);
  const seps = parts.filter((_, i) => i % 2 === 1);
  const joined = (i: number, j: number) => groups.slice(i, j + 1).map((g, k) => (k === 0 ? g : `${seps[i + k - 1] ?? ""}${g}`)).join("");
  let out = "";
  let i = 0;
  while (i < groups.length) {
    let pick: { j: number; kind: MaskedKind } | null = null;
    for (let j = i; j < groups.length; j++) {
      const kind = classifyNumber(joined(i, j), context);
      if (!kind) continue;
      pick = { j, kind };
      if (kind === "phone") break;
    }
    const end = pick?.j ?? i;
    out += pick ? MASK_LABEL[pick.kind] : (groups[i] ?? "");
    if (end < groups.length - 1) out += seps[end] ?? "";
    i = end + 1;
  }
  return out;
}

/**
 * Raw text taken on each side of a number for its context, in UTF-16 units: wide enough that,
 * once folded, it still holds the 30 letters before and 16 after that the rules read, even in NFD
 * (up to three units per Vietnamese letter), so NFC and NFD text are masked alike.
 */
const CONTEXT_BEFORE_UNITS = 120;
const CONTEXT_AFTER_UNITS = 60;

/** Returns `text` with identifying numbers replaced by placeholders; other text is unchanged. */
export function maskSensitive(text: string): string {
  return text.replace(DIGIT_RUN, (match: string, _run: string, offset: number) => {
    const end = offset + match.length;
    const context = { before: text.slice(Math.max(0, offset - CONTEXT_BEFORE_UNITS), offset), after: text.slice(end, end + CONTEXT_AFTER_UNITS) };
    const kind = classifyNumber(match, context);
    if (kind) return MASK_LABEL[kind];
    return match.replace(/\D/g, "").length > 19 ? maskGroups(match, context) : match;
  });
}

/** True when `text` contains a number that `maskSensitive` would hide. */
export function containsSensitive(text: string): boolean {
  return maskSensitive(text) !== text;
}
