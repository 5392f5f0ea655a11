/**
 * Masks numbers that identify people before text is stored or logged: phone numbers, ID (CCCD /
 * CMND) numbers and bank account numbers. Dates ("12/12/2022", "12.12.2022"), amounts
 * ("500.000 đồng", "10000000 đ"), year ranges ("2021-2025") and public hotlines (113, 5656,
 * 1800 1091) are left alone.
 */
import { fold } from "../text/normalize.js";

/** Between digit groups: one space, or a dot or dash with at most one space on either side. */
const SEP = String.raw`(?:[ \u00A0]?[.\-][ \u00A0]?|[ \u00A0])`;
/**
 * Digit groups joined by separators, optionally led by "+" or a code in parentheses:
 * "0912 345 678", "0912.345.678", "+84 912-345-678", "(+84) 912 345 678", "(0236) 3821 567".
 * Letters may touch the run ("sdt0912345678", "CCCD001203004567"); digits may not.
 */
const DIGIT_RUN = new RegExp(String.raw`(?<![\p{N}+])((?:\(\+?\d{1,4}\)[ \u00A0]?|\+)?\d(?:${SEP}?\d){5,30})(?!\p{N})`, "gu");

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
/** Money units right after a number ("đồng", "đ", "vnđ", "triệu", "ngàn" but not "ngân hàng"), folded. */
const MONEY_AFTER = /^[ \u00A0]?(?:dong|d|vnd|trieu|ty|ti|nghin|ngan(?! hang)|usd)(?![\p{L}\p{N}])/u;

/** Context around a number: the text just before and just after it. */
export interface NumberContext {
  readonly before?: string;
  readonly after?: string;
}

function isYear(group: string): boolean {
  return /^(?:19|20)\d{2}$/.test(group);
}

/** "12.12.2022", "15-09-2026", "2022-12-12": a date written with dots or dashes. */
function isDate(groups: readonly string[], raw: string): boolean {
  // Dots or dashes between the parts, not bare spaces ("12 12 2022" is not taken for a date).
  if (groups.length !== 3 || /[ \u00A0]/.test(raw.replace(/[ \u00A0]*[.-][ \u00A0]*/g, "."))) return false;
  const [a, b, c] = groups as [string, string, string];
  const dayMonth = (d: string, m: string) => d.length <= 2 && m.length <= 2 && Number(d) >= 1 && Number(d) <= 31 && Number(m) >= 1 && Number(m) <= 12;
  return (isYear(c) && dayMonth(a, b)) || (isYear(a) && dayMonth(c, b));
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
  if (!leadingZero && !international && MONEY_AFTER.test(fold(context.after ?? "").slice(0, 12))) return null;
  const identityWord = [...fold(context.before ?? "").slice(-30).matchAll(IDENTITY_WORDS)].at(-1)?.[1];
  if (!identityWord) {
    // Thousands groups ("10.000.000"), dates ("12.12.2022") and years ("2021-2025"), unless a
    // word before the number says it is an ID or account ("CMT 212.563.874").
    if (!leadingZero && /^\d{1,3}(?:\.\d{3})+$/.test(raw)) return null;
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

/** Returns `text` with identifying numbers replaced by placeholders; other text is unchanged. */
export function maskSensitive(text: string): string {
  return text.replace(DIGIT_RUN, (match: string, _run: string, offset: number) => {
    const context = { before: text.slice(Math.max(0, offset - 40), offset), after: text.slice(offset + match.length, offset + match.length + 16) };
    const kind = classifyNumber(match, context);
    if (kind) return MASK_LABEL[kind];
    return match.replace(/\D/g, "").length > 19 ? maskGroups(match, context) : match;
  });
}

/** True when `text` contains a number that `maskSensitive` would hide. */
export function containsSensitive(text: string): boolean {
  return maskSensitive(text) !== text;
}
