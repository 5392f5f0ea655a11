/**
 * The faithfulness guard for text written by a language model: every cited context number must
 * exist, the text must cite, and every checkable fact in it — number, amount, date, article
 * ("Điều 5"), document number ("14/2022/TT-BTTTT"), network generation ("4G"), phone number, web
 * address — must occur in the context blocks it cites. Pure: the same extraction runs on the model's text and on the blocks,
 * so "500.000", "500000", "500 000" and "500 nghìn" are one fact, and so are "01/07/2025",
 * "1/7/2025" and "ngày 1 tháng 7 năm 2025".
 */

/** What kind of checkable fact a piece of text states. */
export type FactKind = "number" | "date" | "month" | "day" | "article" | "document" | "phone" | "url" | "network";

/** A checkable fact: `value` is canonical (compared), `raw` is as written (reported). */
export interface Fact {
  readonly kind: FactKind;
  readonly value: string;
  readonly raw: string;
}

/** Why a text failed the guard. */
export type GuardViolation =
  | { readonly kind: "cited_unknown"; readonly ids: readonly number[] }
  | { readonly kind: "no_citation" }
  | { readonly kind: "unsupported"; readonly facts: readonly Fact[] };

export type GuardResult = { readonly ok: true; readonly cited: readonly number[] } | { readonly ok: false; readonly violation: GuardViolation; readonly cited: readonly number[] };

// ---- extraction ------------------------------------------------------------------------------

const SCHEME_URL = /\bhttps?:\/\/[^\s<>()"'\]]+/giu;
const EMAIL = /(?<![\p{L}\p{N}._%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/giu;
/** A bare host ("dichvucong.gov.vn", "vneid.gov.vn/abc"): at least one dot and a known kind of ending. */
const BARE_HOST = /(?<![\p{L}\p{N}@./-])(?:[a-z0-9-]+\.)+(?:vn|com|net|org|gov|edu|info|io|me)(?![\p{L}\p{N}-])(?:\/[^\s<>()"'\]]*)?/giu;
/** "14/2022/TT-BTTTT", "2269/QĐ-TTg", "91/2025/QH15", "05/KH-UBND", "13/2023/NĐ-CP". */
const DOCUMENT = /(?<![\p{L}\p{N}/])\d+\/(?:\d{4}\/)?\p{L}[\p{L}\d&]*(?:-[\p{L}\d&]+)*(?![\p{L}\p{N}])/gu;
const PHONE = /(?<![\p{L}\p{N}])(?:\+84|84(?=\d{9}(?!\d))|0)(?:[ .-]?\d){8,10}(?![\p{N}])|(?<![\p{L}\p{N}])1[89]00(?:[ .-]?\d){4,6}(?![\p{N}])/gu;
const FULL_DATE = /(?<![\p{N}/.,])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\p{N}])/gu;
const WORD_DATE = /ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})(?![\p{N}])/gu;
const WORD_MONTH = /tháng\s+(\d{1,2})\s+năm\s+(\d{4})(?![\p{N}])/gu;
const MONTH_YEAR = /(?<![\p{N}/.,])(\d{1,2})[/-](\d{4})(?![\p{N}/])/gu;
const WORD_DAY = /ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?![\p{N}/])/gu;
const DAY_MONTH = /(?<![\p{N}/.,])(\d{1,2})\/(\d{1,2})(?![\p{N}/])/gu;
/** A mobile network generation ("2G", "4G"): its own fact, so "3G" is not supported by a "3" elsewhere. */
const NETWORK = /(?<![\p{L}\p{N}])(\d{1,2})g(?![\p{L}\p{N}])/gu;
const ARTICLE = /(?<![\p{L}\p{N}])(điều|khoản|chương|mục|phụ lục)\s+(\d+[a-zđ]?|[ivxlc]+)(?![\p{L}\p{N}]|[.,]\d)/gu;
/** Thousands grouped with one separator ("500.000", "1 500 000", "500,000"), optional decimals; or a plain number. */
const NUMBER = /(?<!\p{N})(?:(\d{1,3}(?:([. \u00a0,])\d{3})(?:\2\d{3})*)(?!\d)(?:,(\d+))?|(\d+)(?:[.,](\d+))?)(?:\s*(nghìn|ngàn|triệu|tỷ|tỉ)(?![\p{L}\p{N}]|\s+lệ))?/gu;
const MULTIPLIER: Readonly<Record<string, number>> = { nghìn: 1e3, ngàn: 1e3, triệu: 1e6, tỷ: 1e9, tỉ: 1e9 };
/** Number words, for amounts written out ("năm trăm nghìn đồng"). */
const DIGIT_WORDS: Readonly<Record<string, number>> = {
  không: 0,
  một: 1,
  mốt: 1,
  hai: 2,
  ba: 3,
  bốn: 4,
  tư: 4,
  năm: 5,
  lăm: 5,
  sáu: 6,
  bảy: 7,
  tám: 8,
  chín: 9,
};
const SMALL_COUNT_WORDS: Readonly<Record<string, number>> = { hai: 2, ba: 3, bốn: 4, sáu: 6, bảy: 7, tám: 8, chín: 9, mười: 10 };
const SCALE_WORDS = new Set(["mươi", "mười", "trăm", "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "linh", "lẻ"]);

const validDay = (d: number) => d >= 1 && d <= 31;
const validMonth = (m: number) => m >= 1 && m <= 12;

/** "0500" → "500", "2,50" → "2.5": the canonical form of a written number. */
function canonicalNumber(integer: string, decimals: string | undefined): string {
  const int = integer.replace(/^0+(?=\d)/, "");
  const dec = (decimals ?? "").replace(/0+$/, "");
  return dec ? `${int}.${dec}` : int;
}

function urlValue(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/^www\./, "")
    .replace(/[.,;:!?)]+$/, "")
    .replace(/\/+$/, "");
}

/** Replaces a matched span with spaces, so later patterns do not read it again. */
function blank(text: string, index: number, length: number): string {
  return text.slice(0, index) + " ".repeat(length) + text.slice(index + length);
}

/** Runs `pattern` over `text`, collecting facts and blanking what matched. */
function take(text: string, pattern: RegExp, toFact: (m: RegExpExecArray) => Fact | null, out: Fact[], keep = false): string {
  let rest = text;
  for (const m of text.matchAll(pattern)) {
    const fact = toFact(m as RegExpExecArray);
    if (!fact) continue;
    out.push(fact);
    if (!keep) rest = blank(rest, m.index ?? 0, m[0].length);
  }
  return rest;
}

/** Values of written-out numbers that use a scale word ("hai mươi lăm", "năm trăm nghìn"). */
function spelledNumbers(text: string, out: Fact[]): void {
  // "phần trăm" is a unit and "tỷ lệ" a ratio, not a hundred or a billion.
  const words = text.replace(/phần\s+trăm|t[ỷỉ]\s+lệ/gu, " | ").split(/[^\p{L}]+/u);
  let run: string[] = [];
  const flush = () => {
    // A run counts only with a digit word and a scale ("năm trăm"), or "mười": "hàng nghìn",
    // "triệu tập" and "đầu tư" are words, not amounts.
    const scaled = run.some((w) => SCALE_WORDS.has(w) && w !== "linh" && w !== "lẻ");
    if (scaled && (run.some((w) => w in DIGIT_WORDS) || run.includes("mười"))) {
      const value = spelledValue(run);
      if (value !== null) out.push({ kind: "number", value: String(value), raw: run.join(" ") });
    }
    run = [];
  };
  for (const w of words) {
    const isDigit = w in DIGIT_WORDS;
    if (!isDigit && !SCALE_WORDS.has(w)) {
      flush();
      continue;
    }
    // Two digit words in a row start a new number ("đầu tư hai trăm triệu").
    const last = run[run.length - 1];
    if (isDigit && last !== undefined && last in DIGIT_WORDS) flush();
    run.push(w);
  }
  flush();
}

function spelledValue(words: readonly string[]): number {
  let total = 0;
  let group = 0;
  let pending: number | null = null;
  for (const w of words) {
    const d = DIGIT_WORDS[w];
    if (d !== undefined) {
      pending = d;
    } else if (w === "mươi") {
      group += (pending ?? 1) * 10;
      pending = null;
    } else if (w === "mười") {
      group += 10;
      pending = null;
    } else if (w === "trăm") {
      group += (pending ?? 1) * 100;
      pending = null;
    } else if (w in MULTIPLIER) {
      group += pending ?? 0;
      pending = null;
      total += (group || 1) * (MULTIPLIER[w] as number);
      group = 0;
    }
  }
  return total + group + (pending ?? 0);
}

/**
 * The checkable facts stated in `text`. Citation markers ("[2]") are not facts, nor (unless
 * `keepListNumbers`) list numbering at the start of a line ("1. ") and step numbers ("Bước 2").
 */
export function extractFacts(text: string, options: { keepListNumbers?: boolean } = {}): Fact[] {
  const out: Fact[] = [];
  let s = text
    .normalize("NFC")
    .toLowerCase()
    .replace(/\[\d+(?:\s*[,;–-]\s*\d+)*\]/g, (m) => " ".repeat(m.length));
  if (!options.keepListNumbers) {
    s = s
      .replace(/^(\s*)(\d{1,2}[.)])(?=\s)/gmu, (_m, lead: string, marker: string) => lead + " ".repeat(marker.length))
      .replace(/(?<![\p{L}\p{N}])(bước\s+)(\d{1,2})(?!\p{N})/gu, (_m, word: string, n: string) => word + " ".repeat(n.length));
  }

  s = take(s, SCHEME_URL, (m) => ({ kind: "url", value: urlValue(m[0]), raw: m[0] }), out);
  s = take(s, EMAIL, (m) => ({ kind: "url", value: m[0].toLowerCase(), raw: m[0] }), out);
  s = take(s, BARE_HOST, (m) => ({ kind: "url", value: urlValue(m[0]), raw: m[0] }), out);
  s = take(s, DOCUMENT, (m) => ({ kind: "document", value: m[0], raw: m[0] }), out);
  s = take(s, PHONE, (m) => {
    const digits = m[0].replace(/\D/g, "").replace(/^84(?=\d{9}$)/, "0");
    return { kind: "phone", value: digits, raw: m[0] };
  }, out);
  s = take(s, WORD_DATE, (m) => dateFact(m[1], m[2], m[3], m[0]), out);
  s = take(s, FULL_DATE, (m) => dateFact(m[1], m[3], m[4], m[0]), out);
  s = take(s, WORD_MONTH, (m) => monthFact(m[1], m[2], m[0]), out);
  s = take(s, MONTH_YEAR, (m) => monthFact(m[1], m[2], m[0]), out);
  s = take(s, WORD_DAY, (m) => dayFact(m[1], m[2], m[0]), out);
  s = take(s, DAY_MONTH, (m) => dayFact(m[1], m[2], m[0]), out);
  s = take(s, NETWORK, (m) => ({ kind: "network", value: `${m[1]}g`, raw: m[0] }), out);
  // Articles keep their number in the text: "Điều 5" also states the number 5.
  s = take(s, ARTICLE, (m) => ({ kind: "article", value: `${m[1]} ${m[2]}`, raw: m[0] }), out, true);
  s = take(s, NUMBER, (m) => {
    const [, grouped, , groupedDecimals, plain, plainDecimals, scale] = m;
    const value = grouped !== undefined ? canonicalNumber(grouped.replace(/\D/g, ""), groupedDecimals) : canonicalNumber(plain ?? "", plainDecimals);
    if (!value) return null;
    const multiplier = scale ? MULTIPLIER[scale] : undefined;
    return { kind: "number", value: multiplier ? String(Math.round(Number(value) * multiplier)) : value, raw: m[0].trim() };
  }, out);
  spelledNumbers(s, out);
  return out;
}

function dateFact(d: string | undefined, m: string | undefined, y: string | undefined, raw: string): Fact | null {
  const [day, month, year] = [Number(d), Number(m), Number(y)];
  if (!validDay(day) || !validMonth(month)) return null;
  return { kind: "date", value: `${day}/${month}/${year}`, raw };
}

function monthFact(m: string | undefined, y: string | undefined, raw: string): Fact | null {
  const month = Number(m);
  if (!validMonth(month)) return null;
  return { kind: "month", value: `${month}/${Number(y)}`, raw };
}

function dayFact(d: string | undefined, m: string | undefined, raw: string): Fact | null {
  const [day, month] = [Number(d), Number(m)];
  if (!validDay(day) || !validMonth(month)) return null;
  return { kind: "day", value: `${day}/${month}`, raw };
}

// ---- support ---------------------------------------------------------------------------------

/** Everything a piece of evidence supports, with the derived forms a writer may use. */
export interface Support {
  readonly values: ReadonlySet<string>;
  readonly urls: readonly string[];
  readonly text: string;
}

const key = (kind: FactKind, value: string) => `${kind}\u0000${value}`;

/**
 * What `evidence` supports: its facts, plus their parts (a date supports its day, month and year,
 * "1/7", "7/2025"; "500 nghìn" supports 500000 and 500; a phone number supports its digits).
 */
export function supportOf(evidence: string): Support {
  const values = new Set<string>();
  const urls: string[] = [];
  const add = (kind: FactKind, value: string) => values.add(key(kind, value));
  for (const f of extractFacts(evidence, { keepListNumbers: true })) {
    add(f.kind, f.value);
    if (f.kind === "url") urls.push(f.value);
    if (f.kind === "date") {
      const [d, m, y] = f.value.split("/") as [string, string, string];
      add("day", `${d}/${m}`);
      add("month", `${m}/${y}`);
      for (const n of [d, m, y]) add("number", n);
    } else if (f.kind === "month" || f.kind === "day") {
      for (const n of f.value.split("/")) add("number", n);
    } else if (f.kind === "document") {
      for (const n of f.value.match(/\d+/g) ?? []) add("number", String(Number(n)));
    } else if (f.kind === "phone") {
      add("number", f.value.replace(/^0+(?=\d)/, ""));
    } else if (f.kind === "number") {
      // "500 nghìn" in the evidence also supports a bare "500".
      const scaled = /^(\d[\d.,\s\u00a0]*?)\s*\p{L}+$/u.exec(f.raw);
      const bare = scaled?.[1] ? extractFacts(scaled[1])[0] : undefined;
      if (bare) add("number", bare.value);
    } else if (f.kind === "article") {
      const n = f.value.split(" ").pop() ?? "";
      if (/^\d+$/.test(n)) add("number", n);
    }
  }
  // Small counts written as words ("hai hình thức") support the digit; "một", "năm" and "tư" are
  // left out, being also an article, "year" and part of "đầu tư".
  for (const w of evidence.normalize("NFC").toLowerCase().split(/[^\p{L}]+/u)) {
    const n = SMALL_COUNT_WORDS[w];
    if (n !== undefined) add("number", String(n));
  }
  return { values, urls, text: evidence.normalize("NFC").toLowerCase() };
}

function supports(support: Support, fact: Fact): boolean {
  if (support.values.has(key(fact.kind, fact.value))) return true;
  // A shortened address ("dichvucong.gov.vn" for a page on it) or a phone number written in the
  // evidence as plain digits.
  if (fact.kind === "url") return support.urls.some((u) => u === fact.value || u.startsWith(`${fact.value}/`) || u.endsWith(`@${fact.value}`));
  if (fact.kind === "phone") return support.values.has(key("number", fact.value.replace(/^0+(?=\d)/, "")));
  if (fact.kind === "document") return support.text.includes(fact.value);
  return false;
}

// ---- the check -------------------------------------------------------------------------------

const MARKER = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;

/** The context numbers cited with "[n]" (or "[n, m]") in `text`, in order of first appearance. */
export function citationMarkers(text: string): number[] {
  const seen: number[] = [];
  for (const m of text.matchAll(MARKER)) {
    for (const n of (m[1] ?? "").split(/[,;]/).map((x) => Number(x.trim()))) if (!seen.includes(n)) seen.push(n);
  }
  return seen;
}

/**
 * Checks model-written `text` against numbered evidence: the ids it cites (markers in the text
 * and the `cited` list) must all be evidence blocks, the text must cite at least one, and every
 * fact in it must be supported by a cited block or by `allowed` (e.g. today's date, given in the
 * prompt).
 */
export function checkFaithfulness(p: { text: string; cited: readonly number[]; evidence: ReadonlyMap<number, string>; allowed?: string }): GuardResult {
  const markers = citationMarkers(p.text);
  const cited = [...markers, ...p.cited.filter((n) => !markers.includes(n))];
  const unknown = cited.filter((n) => !p.evidence.has(n));
  if (unknown.length) return { ok: false, violation: { kind: "cited_unknown", ids: unknown }, cited };
  if (markers.length === 0) return { ok: false, violation: { kind: "no_citation" }, cited };

  const supportSets = [...cited.map((n) => supportOf(p.evidence.get(n) as string)), ...(p.allowed ? [supportOf(p.allowed)] : [])];
  const unsupported: Fact[] = [];
  for (const fact of extractFacts(p.text)) {
    if (supportSets.some((s) => supports(s, fact))) continue;
    if (!unsupported.some((u) => u.kind === fact.kind && u.value === fact.value)) unsupported.push(fact);
  }
  if (unsupported.length) return { ok: false, violation: { kind: "unsupported", facts: unsupported }, cited };
  return { ok: true, cited };
}

/** A short English reason for diagnostics: "cited_unknown", "unfaithful:number 600000". */
export function violationReason(v: GuardViolation): string {
  switch (v.kind) {
    case "cited_unknown":
      return "cited_unknown";
    case "no_citation":
      return "unfaithful:no_citation";
    case "unsupported":
      return `unfaithful:${v.facts.map((f) => `${f.kind} ${f.value}`).join(", ")}`;
  }
}

/** Told to the model (prompts/retry.md) when its reply was not the JSON object asked for. */
export const MALFORMED_FOR_MODEL = "câu trả lời không phải đúng một đối tượng JSON theo mẫu đã dặn";

/**
 * The violation told to the model when it is asked to try again (Vietnamese, goes into the
 * `{{violation}}` placeholder of prompts/retry.md): the offending items, named as written.
 */
export function violationForModel(v: GuardViolation): string {
  switch (v.kind) {
    case "cited_unknown":
      return `trích dẫn số đoạn không có trong tài liệu: ${v.ids.map((n) => `[${n}]`).join(", ")}`;
    case "no_citation":
      return "không ghi số đoạn tài liệu [n] sau thông tin";
    case "unsupported":
      return `có chi tiết không có trong các đoạn tài liệu đã trích dẫn: ${v.facts.map((f) => `«${f.raw}»`).join(", ")}`;
  }
}
