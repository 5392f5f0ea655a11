/**
 * Vietnamese text normalization for matching. Display text is never altered: these functions
 * produce a folded copy used only for search, routing and scoring.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Unicode NFC form of `text` (residents' phones send both NFC and NFD). */
export function toNfc(text: string): string {
  return text.normalize("NFC");
}

/**
 * Folds `text` for matching: NFC, lowercase, tones and other diacritics removed, đ→d.
 * "Điện thoại" (NFC or NFD) and "dien thoai" both become "dien thoai".
 */
export function fold(text: string): string {
  // Decompose first so that NFD input and precomposed letters lose their marks the same way;
  // đ/Đ has no decomposition, so it is mapped by hand.
  return text
    .normalize("NFD")
    .toLowerCase()
    .replace(COMBINING_MARKS, "")
    .replace(/đ/g, "d")
    .normalize("NFC");
}

// A token is a run of letters/digits; inside numbers "." "," and "/" are kept so that
// "500.000", "10/11" and "14/2022" survive as one unit.
const TOKEN = /[\p{L}\p{M}\p{N}]+(?:[./,][\p{N}]+)*/gu;

/**
 * Splits folded text into syllable tokens. Numbers are canonicalised ("500.000" → "500000");
 * dated, slashed or comma-joined numbers also yield their parts ("14/2022" → "14/2022", "14", "2022");
 * a number glued to a unit yields both ("70mb" → "70mb", "70", "mb").
 */
export function tokenize(folded: string): string[] {
  const out: string[] = [];
  for (const match of folded.matchAll(TOKEN)) {
    const raw = match[0];
    if (/^\d{1,3}(?:\.\d{3})+$/.test(raw)) {
      // Thousands separators: 500.000 → 500000.
      out.push(raw.replace(/\./g, ""));
      continue;
    }
    if (raw.includes("/")) {
      out.push(raw, ...raw.split("/").filter(Boolean));
      continue;
    }
    if (raw.includes(",")) {
      // "146,64" (decimal comma) or "113,114,115" (a list typed without spaces): keep both.
      out.push(raw, ...raw.split(","));
      continue;
    }
    const unit = /^(\d{2,})([a-z]{2,})$/.exec(raw);
    if (unit) {
      out.push(raw, unit[1] as string, unit[2] as string);
      continue;
    }
    out.push(raw);
  }
  return out;
}

/**
 * A word as typed (lowercase NFC, `o`) and folded for matching (`f`). `exact` is true when the
 * text it came from is written with diacritics, so a word without marks there really has none
 * ("di động" is not "đi").
 */
export interface Word {
  readonly o: string;
  readonly f: string;
  readonly exact: boolean;
}

// Properly typed Vietnamese marks most syllables; below this share the text counts as typed
// without diacritics (residents often add a few marks by habit, e.g. "điện thoai co dc ko").
const DIACRITIC_SHARE = 0.5;

/**
 * Tokenizes `text` keeping each token's typed form next to its folded form, so rules can tell
 * "đó là" from "đô la" when the resident typed diacritics, and fall back to folded matching
 * when they did not.
 */
export function toWords(text: string): Word[] {
  const f = tokenize(fold(text));
  const o = tokenize(text.normalize("NFC").toLowerCase());
  if (o.length !== f.length) return f.map((t) => ({ o: t, f: t, exact: false }));
  const lettered = f.filter((t) => /\p{L}/u.test(t)).length;
  const marked = o.filter((t, i) => t !== f[i]).length;
  const exact = lettered > 0 && marked / lettered >= DIACRITIC_SHARE;
  return f.map((t, i) => ({ o: o[i] as string, f: t, exact }));
}

/**
 * True when a typed word matches a reference word (from the lexicon). Folded forms must agree;
 * when the reference has diacritics and the typed text was written with diacritics, the typed
 * forms must agree too; text typed without diacritics matches any spelling that folds the same.
 */
export function wordMatches(typed: Word, reference: Word): boolean {
  if (typed.f !== reference.f) return false;
  if (reference.o === reference.f) return true;
  return !(typed.exact || typed.o !== typed.f) || typed.o === reference.o;
}

/** Syllable bigrams ("dien_thoai") of consecutive tokens. */
export function bigrams(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]}_${tokens[i + 1]}`);
  return out;
}

/** True when the folded form of `text` carries no Vietnamese diacritics at all. */
export function hasNoDiacritics(text: string): boolean {
  const nfc = toNfc(text);
  return nfc === nfc.normalize("NFD").replace(COMBINING_MARKS, "").replace(/[đĐ]/g, "d");
}
