/**
 * Tells an English question from a Vietnamese one. Vietnamese typed without diacritics shares
 * letters with English ("can", "do", "to", "an", "me" are Vietnamese syllables too), so the
 * decision rests on English function words that are not Vietnamese syllables, and on marks.
 */

export type Language = "vi" | "en";

// Common English words that are not (folded) Vietnamese syllables. "can", "do", "to", "an", "in",
// "no", "me", "hi", "ban", "con", "ma", "la" are left out on purpose: they are Vietnamese too.
const ENGLISH = new Set(
  (
    "the a is are was were be been am i my you your we our they their he she it its this that these those what which who whom whose " +
    "how why where when does did doing done have has had will would should could shall may might must not with from for of about " +
    "into after before there here please help phone phones mobile still work working works support supported supports household households " +
    "poor near family families old new switch switched switching off shutdown network networks signal call calls calling get got receive received " +
    "register registration account accounts money bank scam scammed scammer fraud police report reported commune communes village office " +
    "smartphone smartphones cellphone data law personal information id card level app apps online service services subsidy subsidies " +
    "programme program ended end ends still free buy bought need needs want know tell anyone someone my mother father mom dad parents grandmother " +
    "grandfather and or but if so than then just also only any some all every much many long which whether yes hello thanks thank " +
    "part now name named called official province district ministry merged merger still exist exists there's lives live living wife husband son daughter " +
    "hometown town city country used use using paying cashless scanning forgot forget retrieve " +
    "health insurance change changes changed application applications information number numbers card cards address addresses " +
    "company companies collect collected asking ask asked without allowed legal rule rules government state free cost costs price " +
    "buy sell ordered delivered delivery true wrong right safe safely since until became become under january february march april june july " +
    "august september october november december " +
    "grandma grandpa relative relatives elderly foreigner foreign visiting living abroad year years month months day days today tomorrow"
  ).split(" "),
);

// Vietnamese syllables that are also English words: not evidence either way.
const SHARED = new Set(["a", "i", "to", "do", "an", "in", "on", "no", "me", "hi", "ban", "con", "ma", "la", "can", "so", "he", "may", "but", "end", "long", "get", "o", "ok", "that", "than", "then", "thanh", "tin", "vs"]);

/** Marks that only Vietnamese uses (precomposed or combining), and đ. */
const VIETNAMESE_MARK = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]|[\u0300-\u0303\u0309\u0323\u0306\u0302\u031b]/i;

/**
 * "en" when most words are English and at least two of them are English-only words; text with
 * Vietnamese marks is Vietnamese unless it is overwhelmingly English (a name with marks inside an
 * English sentence stays English).
 */
export function detectLanguage(text: string): Language {
  const words = text.normalize("NFC").toLowerCase().match(/[\p{L}']+/gu) ?? [];
  if (words.length === 0) return "vi";
  let english = 0;
  let englishOnly = 0;
  let marked = 0;
  for (const w of words) {
    if (VIETNAMESE_MARK.test(w)) {
      marked++;
      continue;
    }
    const bare = w.replace(/'s$|n't$|'/g, "");
    if (ENGLISH.has(bare) || SHARED.has(bare)) english++;
    if (ENGLISH.has(bare) && !SHARED.has(bare)) englishOnly++;
  }
  // An English sentence that names Vietnamese places or offices with their marks is still English.
  if (englishOnly >= 4 && englishOnly / words.length >= 0.25) return "en";
  if (marked / words.length > 0.2) return "vi";
  // Place names ("Cong Hoa", "Phu Tan") inside an English sentence lower the English share.
  if (englishOnly >= 2 && (english / words.length >= 0.5 || englishOnly / words.length >= 0.3)) return "en";
  // Short English greetings and questions ("thanks", "help please", "hello").
  if (words.length <= 3 && englishOnly >= 1 && english === words.length) return "en";
  return "vi";
}

/** English function words, left out when matching an English question against English entries. */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "the a an is are was were be been am i my me you your we our they their he she it its this that these those what which who whom whose " +
    "how why where when does did do doing done have has had will would should could shall may might must not no with from for of about to in on at " +
    "into after before there here please can still any some all and or but if so than then just also only very much many get got there's it's i'm " +
    "know tell want need let us"
  ).split(" "),
);
