/**
 * Masks numbers that identify people before text is stored or logged: phone numbers, ID (CCCD /
 * CMND) numbers and bank account numbers. Dates ("12/12/2022"), amounts ("500.000 đồng") and
 * short numbers (113, 5656) are left alone.
 */

/** Digit groups joined by single spaces, dots or dashes: "0912 345 678", "0912.345.678", "+84 912-345-678". */
const DIGIT_RUN = /(?<![\p{L}\p{N}])(\+?\d(?:[ .-]?\d){7,22})(?![\p{L}\p{N}])/gu;

export type MaskedKind = "phone" | "id" | "account";

/** Placeholders shown instead of the number (Vietnamese, readable by staff). */
export const MASK_LABEL: Readonly<Record<MaskedKind, string>> = {
  phone: "[số điện thoại đã ẩn]",
  id: "[số giấy tờ đã ẩn]",
  account: "[số tài khoản đã ẩn]",
};

/** Classifies a run of digits (separators removed), or null when it is not identifying. */
export function classifyNumber(raw: string): MaskedKind | null {
  // Dates and amounts use dots/slashes between groups of 1–3 digits with a 4-digit year or
  // thousands groups: an amount like 500.000 or 10.000.000 has groups of exactly three after the first.
  if (/^\d{1,3}(?:\.\d{3})+$/.test(raw)) return null;
  const digits = raw.replace(/\D/g, "");
  // Hotlines (1900 xxxx, 1800 xxxx) are public numbers, not personal ones.
  if (/^1[89]00\d{4,6}$/.test(digits)) return null;
  if (raw.startsWith("+84") || /^84\d{9}$/.test(digits)) return "phone";
  if (/^0\d{9,10}$/.test(digits)) return "phone";
  if (/^\d{12}$/.test(digits) || /^\d{9}$/.test(digits)) return "id";
  if (digits.length >= 8 && digits.length <= 19) return "account";
  return null;
}

/** Returns `text` with identifying numbers replaced by placeholders; other text is unchanged. */
export function maskSensitive(text: string): string {
  return text.replace(DIGIT_RUN, (match) => {
    const kind = classifyNumber(match);
    return kind ? MASK_LABEL[kind] : match;
  });
}

/** True when `text` contains a number that `maskSensitive` would hide. */
export function containsSensitive(text: string): boolean {
  return maskSensitive(text) !== text;
}
