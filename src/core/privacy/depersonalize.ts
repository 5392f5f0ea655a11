/**
 * Finds and removes what identifies a resident in a question before it can become public (a
 * staff FAQ entry): identifying numbers (through `maskSensitive`), personal names, house numbers
 * and hamlet-level addresses. Deliberately simple rules, documented here and in the README:
 *
 * - Names: a kinship or title word (ông, bà, anh, chị, cô, chú, bác, em, cháu, dì, cậu, …) or
 *   "tên (là)" followed by one to four capitalised words ("ông Nguyễn Văn Tám", "chị Hoa"); two to
 *   four capitalised words led by a common family name anywhere ("Trần Thị Lan"); after a kinship
 *   word, a family name written in lower case and up to three words after it ("ông nguyễn văn
 *   tám"). A lower-case given name alone ("ong tam") cannot be told from an ordinary word.
 * - House numbers: "số nhà 12", "nhà số 12", "SN 12", "ngõ 5", "hẻm 3", "kiệt 7".
 * - Hamlets: "thôn / xóm / ấp / tổ / bản / làng / khóm / đội / khu phố / tổ dân phố" followed
 *   by a number or by capitalised words ("thôn 3", "xóm Đông Hạ"); without diacritics "thon",
 *   "xom", "ap", "khom" count too. The commune ("xã Cộng Hòa") is public and stays.
 *
 * Input may be NFC or NFD, with or without diacritics; output is NFC.
 */
import { fold } from "../text/normalize.js";
import { MASK_LABEL, maskSensitive } from "./mask.js";

export type PersonalDetailKind = "number" | "name" | "house" | "hamlet";

/** One personal detail found in a text: its kind, where it is (NFC offsets) and its words. */
export interface PersonalDetail {
  readonly kind: PersonalDetailKind;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The identifying words themselves (the name without "ông", the number without "số nhà"). */
  readonly core: string;
}

interface Word {
  readonly text: string;
  /** NFC, lower case, with diacritics. */
  readonly lower: string;
  readonly folded: string;
  readonly start: number;
  readonly end: number;
  /** "Tám", "Đông": a capital then lower-case letters (not "VNeID", "UBND"). */
  readonly titled: boolean;
  readonly numeric: boolean;
  /** Only spaces since the previous word (no comma or full stop between them). */
  readonly joined: boolean;
}

const WORD = /[\p{L}\p{M}\p{N}]+(?:[/-][\p{L}\p{M}\p{N}]+)*/gu;

/** Kinship and title words before a name, with diacritics, and the unambiguous plain spellings. */
const KINSHIP = new Set(["ông", "bà", "anh", "chị", "cô", "chú", "bác", "em", "cháu", "dì", "cậu", "mợ", "thím", "dượng", "ong", "anh", "chi", "bac", "chu", "em", "chau"]);
/** Family names, as written with diacritics; in capitalised names they are compared folded. */
const SURNAMES = ["nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "ngô", "dương", "lý", "đinh", "trương", "đoàn", "trịnh", "lương", "phùng", "vương"];
const SURNAMES_FOLDED = new Set(SURNAMES.map((s) => fold(s)));
/** In lower case the family name must be unmistakable: with diacritics, or a plain form no common word shares. */
const SURNAMES_LOWER = new Set([...SURNAMES.filter((s) => !["lê", "lý", "đỗ", "phan", "đoàn"].includes(s)), "nguyen", "tran", "pham", "hoang", "huynh", "bui"]);
/** Capitalised words after "anh", "chị"… that are not names (places, offices, brands). */
const NOT_NAMES = new Set(["uy", "xa", "huyen", "tinh", "thon", "nha", "dai", "buu", "tram", "so", "bo", "ban", "hoi", "truong", "zalo", "viettel", "vinaphone", "mobifone", "vietnamobile", "vnpt", "facebook", "google", "youtube", "tiktok", "messenger", "telegram"]);
/** Words a lower-case name does not run into ("ở", "hỏi", "muốn"…), with diacritics, then plain. */
const NAME_STOPS = new Set([
  ..."ở tại hỏi muốn có là nhà cho đã bị được và với thì đang cần xin làm số thôn xóm ấp tổ khu xã gửi gọi nhờ đến đi về không nhé ạ ơi còn chưa sẽ báo hay mà nay này đó ơi vẫn".split(" "),
  ..."o tai hoi muon co la nha cho da bi duoc va voi dang can xin lam so thon xom ap khu xa gui goi nho den ve khong nhe oi con chua se bao hay ma nay".split(" "),
]);
/** Hamlet-level units, with diacritics; plain spellings only where no common word shares them. */
const HAMLET_WORDS = new Set(["thôn", "xóm", "ấp", "tổ", "bản", "làng", "khóm", "đội", "thon", "xom", "ap", "khom"]);
/** Units named by number only: "tổ 3", "đội 5" ("Tổ Công nghệ số" is not an address). */
const NUMBERED_ONLY = new Set(["tổ", "đội"]);
const LEADING_PLACE = new Set(["ở", "tại", "o", "tai"]);

function words(text: string): Word[] {
  let last = 0;
  return [...text.matchAll(WORD)].map((m) => {
    const value = m[0];
    const lower = value.toLowerCase();
    const joined = /^\s+$/u.test(text.slice(last, m.index));
    last = m.index + value.length;
    return {
      text: value,
      lower,
      folded: fold(value),
      start: m.index,
      end: m.index + value.length,
      titled: /^\p{Lu}[\p{Ll}\p{M}]*$/u.test(value),
      numeric: /^\d/.test(value) || /^[IVX]{1,4}$/.test(value),
      joined,
    };
  });
}

/** Capitalised name words from `i` in the same phrase, at most `max` (not offices or brands). */
function titledRun(ws: readonly Word[], i: number, max: number): number {
  let n = 0;
  const isName = (w: Word | undefined) => w !== undefined && w.titled && w.joined && !NOT_NAMES.has(w.folded);
  while (n < max && isName(ws[i + n])) n++;
  return n;
}

/** A family name, compared with its diacritics when written with them ("Vụ Bản" is a place). */
function isSurname(w: Word): boolean {
  return w.lower === w.folded ? SURNAMES_FOLDED.has(w.folded) : SURNAMES.includes(w.lower);
}

interface Span {
  readonly kind: PersonalDetailKind;
  /** Word indices: the detail is words [from, to), its identifying part [coreFrom, to). */
  readonly from: number;
  readonly coreFrom: number;
  readonly to: number;
}

/** A house number or hamlet starting at word `i`, as [kind, words before the number or name]. */
function placeAt(ws: readonly Word[], i: number): { kind: "house" | "hamlet"; head: number } | null {
  const w = ws[i] as Word;
  const next = ws[i + 1];
  const two = next ? `${w.folded} ${next.folded}` : "";
  if (two === "so nha" || two === "nha so" || two === "khu pho") return { kind: two === "khu pho" ? "hamlet" : "house", head: 2 };
  if (next && ws[i + 2] && `${two} ${(ws[i + 2] as Word).folded}` === "to dan pho") return { kind: "hamlet", head: 3 };
  if (w.folded === "sn" || ["ngõ", "ngách", "hẻm", "kiệt", "ngo", "hem", "kiet"].includes(w.lower)) return { kind: "house", head: 1 };
  if (HAMLET_WORDS.has(w.lower)) return { kind: "hamlet", head: 1 };
  return null;
}

function findSpans(ws: readonly Word[]): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < ws.length) {
    const w = ws[i] as Word;
    const place = placeAt(ws, i);
    if (place) {
      const at = i + place.head;
      const value = ws[at];
      // "số nhà 12", "thôn 3": a number; "thôn Đông Hạ": capitalised words (not "nhà văn hóa thôn").
      const len = value?.numeric && value.joined ? 1 : place.kind === "hamlet" && !NUMBERED_ONLY.has(w.lower) ? titledRun(ws, at, 3) : 0;
      if (len > 0) {
        const lead = i > 0 && LEADING_PLACE.has((ws[i - 1] as Word).lower) ? 1 : 0;
        spans.push({ kind: place.kind, from: i - lead, coreFrom: i, to: at + len });
        i = at + len;
        continue;
      }
    }
    if (KINSHIP.has(w.lower) || w.folded === "ten") {
      const at = w.folded === "ten" && ws[i + 1]?.folded === "la" ? i + 2 : i + 1;
      const titled = titledRun(ws, at, 4);
      if (titled > 0) {
        spans.push({ kind: "name", from: i, coreFrom: at, to: at + titled });
        i = at + titled;
        continue;
      }
      const first = ws[at];
      if (w.folded !== "ten" && first?.joined && SURNAMES_LOWER.has(first.lower)) {
        let n = 1;
        const more = (x: Word | undefined) => x !== undefined && x.joined && !NAME_STOPS.has(x.lower) && !x.numeric;
        while (n < 4 && more(ws[at + n])) n++;
        spans.push({ kind: "name", from: i, coreFrom: at, to: at + n });
        i = at + n;
        continue;
      }
    }
    if (w.titled && isSurname(w)) {
      const rest = titledRun(ws, i + 1, 3);
      if (rest > 0) {
        spans.push({ kind: "name", from: i, coreFrom: i, to: i + 1 + rest });
        i += 1 + rest;
        continue;
      }
    }
    i++;
  }
  return spans;
}

const PLACEHOLDER = new RegExp(Object.values(MASK_LABEL).map((l) => l.replace(/[[\]]/g, "\\$&")).join("|"), "g");

/**
 * The personal details in `text` (NFC or NFD): names, house numbers, hamlets, and identifying
 * numbers (also the placeholders `maskSensitive` leaves, "[số điện thoại đã ẩn]").
 */
export function findPersonalDetails(text: string): PersonalDetail[] {
  const nfc = text.normalize("NFC");
  const ws = words(nfc);
  const found: PersonalDetail[] = findSpans(ws).map((s) => {
    const start = (ws[s.from] as Word).start;
    const end = (ws[s.to - 1] as Word).end;
    return { kind: s.kind, start, end, text: nfc.slice(start, end), core: nfc.slice((ws[s.coreFrom] as Word).start, end) };
  });
  for (const m of nfc.matchAll(PLACEHOLDER)) found.push({ kind: "number", start: m.index, end: m.index + m[0].length, text: m[0], core: m[0] });
  const masked = maskSensitive(nfc);
  if (masked !== nfc) {
    // Where the masked text differs: from the first changed character to the last.
    let start = 0;
    while (nfc[start] === masked[start]) start++;
    let tail = 0;
    while (tail < nfc.length - start && nfc[nfc.length - 1 - tail] === masked[masked.length - 1 - tail]) tail++;
    const text = nfc.slice(start, nfc.length - tail);
    found.push({ kind: "number", start, end: nfc.length - tail, text, core: text });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Identity words left before a removed number ("số điện thoại của tôi là …", "cccd …"). */
const NUMBER_LEAD = /(?:(?:số\s+)?(?:điện\s+thoại|đt|sđt|sdt|dien\s+thoai|cccd|cmnd|căn\s+cước|can\s+cuoc|stk|tài\s+khoản|tai\s+khoan)(?:\s+(?:của|cua)\s+(?:tôi|toi|em|cháu|chau|mình|minh))?\s*(?:là|la|:)?\s*)?$/iu;

/**
 * A de-personalised suggestion for a public question, from a resident's text: numbers masked
 * then dropped with the words that announced them, names, house numbers and hamlets removed,
 * spacing and punctuation tidied, first letter capitalised. Staff edit it before saving.
 */
export function depersonalize(text: string): string {
  let out = maskSensitive(text.normalize("NFC"));
  for (const m of [...out.matchAll(PLACEHOLDER)].reverse()) {
    const before = out.slice(0, m.index).replace(NUMBER_LEAD, "");
    out = `${before} ${out.slice(m.index + m[0].length)}`;
  }
  const ws = words(out);
  for (const s of findSpans(ws).reverse()) out = `${out.slice(0, (ws[s.from] as Word).start)} ${out.slice((ws[s.to - 1] as Word).end)}`;
  out = out
    // "Tôi là Trần Thị Lan, …" without the name: "Tôi là" goes too.
    .replace(/(?:^|\s)(?:tôi|toi|em|cháu|chau|mình|minh)(?:\s+(?:tên|ten))?\s+(?:là|la)\s*(?=[,.;:!?]|$)/giu, " ")
    .replace(/\s+/g, " ")
    .replace(/\s+([,.;:?!)])/g, "$1")
    .replace(/([,;:])(?=[,;:.?!])/g, "")
    .replace(/\(\s*\)/g, "")
    .replace(/^[\s,.;:!-]+/, "")
    .replace(/[\s,;:-]+$/, "")
    .trim();
  return out.charAt(0).toUpperCase() + out.slice(1);
}

/** For comparing texts as readers do: folded, letters and digits only. */
function comparable(text: string): string {
  return fold(text.normalize("NFC")).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** Why a public question (or answer) may not be saved; null when it may. */
export type PublicTextProblem = "missing" | "unchanged" | "personal";

/**
 * Checks a question staff want to publish against the resident's question it comes from:
 * missing, the resident's own words (however spelled), a personal detail of its own, or a name
 * or house number the resident gave (a single given name counts only where it is capitalised
 * mid-sentence, so "tám giờ" is not "chị Tám").
 */
export function checkPublicQuestion(question: string, residentText: string): PublicTextProblem | null {
  const q = comparable(question);
  if (q.length === 0) return "missing";
  if (q === comparable(residentText)) return "unchanged";
  if (findPersonalDetails(question).length > 0) return "personal";
  return repeatsResidentDetails(question, residentText) ? "personal" : null;
}

/** Whether `text` (an answer to publish) repeats a name or house number from the resident's text. */
export function repeatsResidentDetails(text: string, residentText: string): boolean {
  const details = findPersonalDetails(residentText).filter((d) => d.kind === "name" || d.kind === "house");
  if (details.length === 0) return false;
  const target = words(text.normalize("NFC"));
  const folded = ` ${target.map((w) => w.folded).join(" ")} `;
  // A given name alone ("bác Tám"): only as a name, capitalised and not the text's first word.
  const named = (name: Word | undefined) => name !== undefined && target.some((w, i) => i > 0 && w.titled && w.lower === name.lower);
  return details.some((d) => {
    const core = words(d.core);
    if (d.kind === "house") return folded.includes(` ${core.map((w) => w.folded).join(" ")} `);
    // A full name anywhere (however written), or its last word, the given name people are called by.
    return (core.length > 1 && folded.includes(` ${core.map((w) => w.folded).join(" ")} `)) || named(core.at(-1));
  });
}
