/**
 * What kind of answer a question asks for, read from its folded, abbreviation-expanded words.
 * The first sentence of an answer must carry it: "Có."/"Không." for yes/no, a date for "when",
 * a definition for "what is", a place for "where", a figure for "how much".
 */

/** The kinds of question the assistant tells apart. */
export const QUESTION_TYPES = ["yesno", "when", "what", "how", "where", "who", "howmuch", "why", "other"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

type Pattern = readonly string[];
const p = (s: string): Pattern => s.split(" ");

// Folded word sequences. Each list is checked in the order of TYPE_ORDER below: a question-word
// type (when, where…) wins over yes/no, because "có biết ở đâu không" asks for a place.
const CUES: Record<Exclude<QuestionType, "other" | "yesno">, readonly Pattern[]> = {
  when: [
    "khi nao", "bao gio", "luc nao", "ngay nao", "ngay may", "thang nao", "thang may", "nam nao", "nam may",
    "hom nao", "tu bao gio", "den bao gio", "han chot", "thoi han", "may gio", "tu ngay nao", "truoc ngay nao", "chung nao",
    "when", "what date",
  ].map(p),
  howmuch: ["bao nhieu", "bao lau", "may ngay", "may thang", "may nam", "may dong", "may trieu", "may phan tram", "ty le", "muc ho tro", "tom bao nhieu", "het bao nhieu", "gia bao nhieu", "how much", "how many", "how long"].map(p),
  where: ["o dau", "cho nao", "noi nao", "tai dau", "den dau", "di dau", "dia chi", "nop o dau", "bao o dau", "where", "o cho nao", "dau vay", "dau a"].map(p),
  who: [
    "la ai", "hoi ai", "bao ai", "goi ai", "gap ai", "ai phu trach", "ai chiu", "ai duoc", "ai lam", "ai ky", "ai la", "nho ai", "lien he ai", "tim ai",
    "co quan nao", "bo phan nao", "don vi nao", "nguoi nao", "cho ai", "ai ho tro", "ai giup", "who", "whom",
  ].map(p),
  what: ["la gi", "nghia la gi", "la cai gi", "co nghia la", "nghia la", "la sao", "what is", "what are", "what does", "means", "la the nao"].map(p),
  why: ["tai sao", "vi sao", "sao lai", "ly do", "why", "do dau"].map(p),
  how: [
    "the nao", "nhu the nao", "ra sao", "lam sao", "lam the nao", "cach nao", "cach", "thu tuc", "cac buoc", "huong dan",
    "phai lam gi", "can lam gi", "nen lam gi", "lam gi", "xu ly", "can gi", "mang gi", "giay to gi", "ho so gi", "how", "what should", "what to do", "what can i do",
  ].map(p),
};

const TYPE_ORDER = ["when", "howmuch", "where", "who", "what", "why", "how"] as const;

// Yes/no: "có … không", "… được không", "… chưa", "có phải … không", "còn … không", "à?", "hả?".
const YESNO_END = new Set(["khong", "chua", "ha", "a", "u", "nhi", "sao", "chu", "hong", "ko", "k", "hok", "hem"]);
const YESNO_ANY: readonly Pattern[] = ["co phai", "phai khong", "dung khong", "duoc khong", "hay khong", "con khong", "co duoc", "co can", "co bi", "co mat", "is it", "can i", "do i", "does", "is my", "will", "can my", "are there", "is there", "still"].map(p);
/** Words that may trail a question without changing it ("… không ạ", "… ko chau", "… chưa ad"). */
const TRAILING = new Set(["a", "ad", "admin", "nha", "nhe", "vay", "the", "voi", "chau", "con", "em", "anh", "chi", "ban", "bac", "co", "chu", "ong", "ba", "oi", "bot", "ta", "day", "nhi"]);

function has(words: readonly string[], pattern: Pattern): boolean {
  outer: for (let i = 0; i + pattern.length <= words.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (words[i + j] !== pattern[j]) continue outer;
    return true;
  }
  return false;
}

/** True when `ai` is used as "who" (not "ai" inside a longer word sequence we don't know). */
function asksWho(words: readonly string[]): boolean {
  // "ai" opening the question ("ai được hỗ trợ") or ending it ("… là ai", "… hỏi ai").
  return words[0] === "ai" || words[words.length - 1] === "ai";
}

/**
 * Every kind of answer a text asks for ("… ở đâu, làm việc mấy giờ?" asks for a place and a time),
 * in the order of the checks; empty when none is recognised.
 */
export function detectQuestionTypes(words: readonly string[], endsWithQuestionMark = false): QuestionType[] {
  const out: QuestionType[] = TYPE_ORDER.filter((type) => CUES[type].some((cue) => has(words, cue)));
  if (!out.includes("who") && asksWho(words)) out.push("who");
  if (out.length === 0) {
    const single = detectQuestionType(words, endsWithQuestionMark);
    if (single !== "other") out.push(single);
  }
  return out;
}

/**
 * Detects the question type from folded words (abbreviations already expanded: "ko" → "khong").
 * `endsWithQuestionMark` lets a statement-like "điện thoại 2G vẫn dùng được?" count as yes/no.
 */
export function detectQuestionType(words: readonly string[], endsWithQuestionMark = false): QuestionType {
  for (const type of TYPE_ORDER) {
    if (CUES[type].some((cue) => has(words, cue))) {
      // "không biết làm sao" inside a yes/no story still asks how; "có cách nào … không" asks how too.
      return type;
    }
  }
  if (asksWho(words)) return "who";
  let end = words.length - 1;
  while (end > 0 && TRAILING.has(words[end] as string)) end--;
  const last = words[end];
  if (last !== undefined && YESNO_END.has(last)) return "yesno";
  if (YESNO_ANY.some((cue) => has(words, cue))) return "yesno";
  if (endsWithQuestionMark) return "yesno";
  return "other";
}
