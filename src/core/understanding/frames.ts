/**
 * The parts of a message that carry no question: greetings and vocatives ("chào ad", "dạ"),
 * politeness ("cho em hỏi", "… ạ", "cảm ơn ad"), self-introductions ("tôi tên Tư, 70 tuổi, ở
 * thôn 2") and petition frames ("Kính gửi …", "cử tri … kiến nghị"). They are recognised on folded
 * words, so they work typed with or without diacritics, and removed before matching; the text
 * shown back to anyone is never altered.
 */
import type { Word } from "../text/normalize.js";

const seq = (s: string): readonly string[] => s.split(" ");

/** Leading phrases removed from a segment, longest first (folded, after abbreviation expansion). */
const LEADING = [
  "xin chao", "chao buoi sang", "chao buoi chieu", "chao buoi toi", "chao ban", "chao em", "chao anh", "chao chi", "chao ad", "chao admin", "chao tro ly", "chao bot", "chao ca nha", "chao", "alo", "hello", "hi", "da vang", "da", "vang", "ad oi", "admin oi", "tro ly oi", "bot oi", "ban oi", "em oi", "anh oi", "chi oi", "oi",
  "cho toi hoi", "cho em hoi", "cho minh hoi", "cho chau hoi", "cho con hoi", "cho tui hoi", "cho tao hoi", "cho hoi", "cho toi xin hoi", "cho em xin hoi", "xin cho hoi", "xin hoi", "hoi chut", "hoi ti", "hoi xiu", "chut", "ti", "xiu",
  "toi muon hoi", "em muon hoi", "minh muon hoi", "chau muon hoi", "con muon hoi", "toi can hoi", "em can hoi", "toi hoi", "em hoi", "minh hoi", "cho toi biet", "cho em biet", "cho minh biet", "vui long cho biet", "lam on cho biet", "lam on", "nho ad", "nho ban", "nho tro ly", "ad cho hoi", "ad cho em hoi", "ban cho hoi",
  "kinh gui", "kinh thua", "thua", "please", "excuse me", "hey",
].map(seq).sort((a, b) => b.length - a.length);

/** Trailing politeness removed from a segment. */
const TRAILING = [
  "a", "voi a", "nhe", "nha", "nhe ad", "nha ad", "ad", "admin", "ad oi", "voi", "giup voi", "giup em voi", "giup toi voi", "giup em", "giup toi", "giup minh", "giup chau", "giup", "cam on", "cam on ad", "cam on nhieu", "xin cam on", "tran trong cam on", "tran trong", "thanks", "thank you", "please",
].map(seq).sort((a, b) => b.length - a.length);

/** A whole segment that is only a greeting, thanks or sign-off (dropped). */
const COURTESY_WORDS = new Set([
  "xin", "chao", "alo", "hello", "hi", "da", "vang", "ad", "admin", "oi", "ban", "em", "anh", "chi", "tro", "ly", "bot", "cam", "on", "nhieu", "lam", "tran", "trong", "thanks", "thank", "you", "nhe", "nha", "a", "kinh", "gui", "thua", "buoi", "sang", "chieu", "toi", "ca", "nha", "moi", "nguoi", "ok", "oke", "vay",
]);

function startsWith(words: readonly Word[], pattern: readonly string[], at = 0): boolean {
  if (at < 0 || at + pattern.length > words.length) return false;
  for (let j = 0; j < pattern.length; j++) if ((words[at + j] as Word).f !== pattern[j]) return false;
  return true;
}

function endsWith(words: readonly Word[], pattern: readonly string[]): boolean {
  return startsWith(words, pattern, words.length - pattern.length);
}

/** What was recognised and removed, for diagnostics. */
export type FrameKind = "greeting" | "politeness" | "self_intro" | "petition";

const VOCATIVES = new Set(["anh", "chi", "em", "chau", "con", "bac", "co", "chu", "ad", "admin", "ban", "ong", "ba", "oi", "bot", "a"]);
const QUESTION_END = new Set(["khong", "chua", "duoc", "nhi", "ha", "gi", "nao", "dau", "sao", "ai", "vay", "the", "nhe", "nha", "ko"]);
const PRONOUNS = new Set(["toi", "em", "minh", "chau", "con", "tui", "ta", "tao", "bac", "ong", "ba", "co", "chu", "anh", "chi"]);
const PLACE_UNITS = new Set(["thon", "xom", "ap", "to", "khu", "ban", "lang", "xa", "huyen", "tinh", "phuong", "doi"]);
const PETITION_VERBS = [seq("kien nghi"), seq("de nghi"), seq("phan anh"), seq("kien nghi voi"), seq("de xuat")];

/**
 * A self-introduction segment: "tôi tên Tư", "năm nay 70 tuổi", "ở thôn 2", "nhà ở xóm 5",
 * "tôi là Nguyễn Văn A". Only short segments count, so a question that happens to mention an
 * age ("người trên 60 tuổi có được …") is kept.
 */
function isSelfIntro(words: readonly Word[]): boolean {
  const f = words.map((w) => w.f);
  if (f.length === 0 || f.length > 7) return false;
  const hasQuestionWord = f.some((t) => ["gi", "nao", "sao", "dau", "khong", "chua", "ai", "may", "bao"].includes(t));
  if (hasQuestionWord) return false;
  // "tôi tên Tư", "em tên là Hoa"
  if (PRONOUNS.has(f[0] as string) && f[1] === "ten") return true;
  if (f[0] === "ten" && f.length <= 4) return true;
  // "70 tuổi", "năm nay 70 tuổi", "tôi 70 tuổi rồi"
  if (f.includes("tuoi") && f.some((t) => /^\d{1,3}$/.test(t))) return true;
  // "ở thôn 2", "nhà ở xóm Đông", "sống ở ấp 3"
  const at = f.indexOf("o");
  if (at >= 0 && at <= 3 && PLACE_UNITS.has(f[at + 1] as string)) return true;
  if (PLACE_UNITS.has(f[0] as string) && f.length <= 3 && f.some((t) => /^\d+$/.test(t))) return true;
  return false;
}

/** Removes courtesy and petition frames from one segment; returns the remaining words. */
export function stripSegment(input: readonly Word[], found: Set<FrameKind>): Word[] {
  let words = [...input];
  // "Kính gửi UBND xã …", "Kính thưa …": an addressee line carries no question.
  if ((startsWith(words, ["kinh", "gui"]) || startsWith(words, ["kinh", "thua"])) && words.length <= 12 && !words.some((w) => QUESTION_END.has(w.f))) {
    found.add("petition");
    return [];
  }
  if (words.length && words.every((w) => COURTESY_WORDS.has(w.f))) {
    found.add("greeting");
    return [];
  }
  if (isSelfIntro(words)) {
    found.add("self_intro");
    return [];
  }
  // "tôi tên Tư 70 tuổi ở thôn 2 làm vneid …" without commas: drop a leading "tên X" / "N tuổi" / "ở thôn N".
  let changed = true;
  while (changed && words.length) {
    changed = false;
    for (const pattern of LEADING) {
      if (startsWith(words, pattern) && words.length > pattern.length) {
        words = words.slice(pattern.length);
        found.add(pattern[0] === "kinh" || pattern[0] === "thua" ? "petition" : pattern.includes("hoi") || pattern.includes("biet") || pattern[0] === "lam" || pattern[0] === "nho" || pattern[0] === "please" ? "politeness" : "greeting");
        changed = true;
        break;
      }
    }
    // "cử tri xã X kiến nghị …": everything up to the petition verb is the frame.
    if (!changed && words[0]?.f === "cu" && words[1]?.f === "tri") {
      for (let i = 2; i < Math.min(words.length, 14); i++) {
        const verb = PETITION_VERBS.find((v) => startsWith(words, v, i));
        if (verb) {
          words = words.slice(i + verb.length);
          found.add("petition");
          changed = true;
          break;
        }
      }
    }
  }
  changed = true;
  while (changed && words.length) {
    changed = false;
    // "… không anh", "… chưa cháu", "… được không ad": a vocative after the question's last word.
    const last = words[words.length - 1] as Word;
    if (words.length > 2 && VOCATIVES.has(last.f) && QUESTION_END.has((words[words.length - 2] as Word).f)) {
      words = words.slice(0, -1);
      found.add("politeness");
      changed = true;
      continue;
    }
    for (const pattern of TRAILING) {
      if (endsWith(words, pattern) && words.length > pattern.length) {
        words = words.slice(0, words.length - pattern.length);
        found.add("politeness");
        changed = true;
        break;
      }
    }
  }
  return words;
}
