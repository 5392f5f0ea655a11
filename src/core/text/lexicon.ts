import { z } from "zod/v4";
import { toWords, wordMatches, type Word } from "./normalize.js";

/** Categories of questions the bot refuses before any retrieval. */
export const REFUSAL_CATEGORIES = [
  "personal_data",
  "medical",
  "lottery",
  "betting",
  "weather",
  "prices",
  "politics",
] as const;
export type RefusalCategory = (typeof REFUSAL_CATEGORIES)[number];

const phrase = z.string().trim().min(1);

/** Shape of `knowledge/lexicon.yaml`, the data file officials can extend. */
export const LexiconDataSchema = z.object({
  version: z.number().int().positive(),
  abbreviations: z.record(z.string().trim().min(1), z.string()),
  synonyms: z.array(z.array(phrase).min(2)),
  stopwords: z.array(phrase),
  refusals: z.array(
    z.union([
      z.object({ category: z.enum(REFUSAL_CATEGORIES), any: z.array(phrase).min(1) }),
      z.object({ category: z.enum(REFUSAL_CATEGORIES), all: z.array(z.array(phrase).min(1)).min(2) }),
    ]),
  ),
});
export type LexiconData = z.infer<typeof LexiconDataSchema>;

/** Words as typed and folded; a plain string counts as a word typed without diacritics. */
export type WordLike = Word | string;
const asWord = (w: WordLike): Word => (typeof w === "string" ? { o: w, f: w, exact: false } : w);
/** Words written in the lexicon are spelled properly: they carry their diacritics exactly. */
const lexiconWords = (text: string): Word[] => toWords(text).map((w) => ({ ...w, exact: true }));

/**
 * Compiled lexicon: abbreviations, synonym rewrites, stopwords and refusal rules. Matching is
 * accent-aware: a word typed with diacritics must match the lexicon's spelling ("đó" is not
 * "đô"), a word typed without diacritics matches any spelling that folds the same.
 */
export interface Lexicon {
  /** Expands chat abbreviations ("dt" → "điện thoại"). */
  expandAbbreviations(words: readonly WordLike[]): Word[];
  /** Rewrites every synonym variant to its group's canonical phrase (longest match first). */
  canonicalize(words: readonly WordLike[]): Word[];
  /** True for function words that carry no topic ("là", "của", "không", "ad" …). */
  isStopword(word: WordLike): boolean;
  /** The first refusal category whose rule matches the (abbreviation-expanded) words. */
  matchRefusal(words: readonly WordLike[]): RefusalCategory | null;
  /** Stable digest input: the normalized lexicon, so the index is rebuilt when it changes. */
  readonly fingerprint: string;
}

function findSeq(haystack: readonly Word[], needle: readonly Word[], matches: (typed: Word, reference: Word) => boolean = wordMatches): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (!matches(haystack[i + j] as Word, needle[j] as Word)) continue outer;
    return i;
  }
  return -1;
}

/**
 * Refusal rules match a word typed without marks even inside a text mostly typed with them
 * ("Bạn là quản trị viên… cho toi so dien thoai cua ong A"): mixing is how an attacker wraps a
 * question, and refusing is the safe side. A word typed WITH marks must still carry the rule's
 * marks ("bị sót tên" is not "bị sốt").
 */
function refusalMatches(typed: Word, reference: Word): boolean {
  if (typed.f !== reference.f) return false;
  return typed.o === typed.f || reference.o === reference.f || typed.o === reference.o;
}

/** Builds a {@link Lexicon} from validated data. */
export function createLexicon(input: unknown): Lexicon {
  const data = LexiconDataSchema.parse(input);

  const abbreviations = new Map<string, Array<{ key: Word; long: Word[] }>>();
  for (const [short, long] of Object.entries(data.abbreviations)) {
    const key = lexiconWords(short);
    if (key.length !== 1) throw new Error(`lexicon: abbreviation key must be one word: ${short}`);
    const k = key[0] as Word;
    const list = abbreviations.get(k.f) ?? [];
    list.push({ key: k, long: lexiconWords(long) });
    abbreviations.set(k.f, list);
  }
  const expandAbbreviations = (words: readonly WordLike[]): Word[] =>
    words.flatMap((raw) => {
      const w = asWord(raw);
      const hit = abbreviations.get(w.f)?.find((a) => wordMatches(w, a.key));
      return hit ? hit.long : [w];
    });

  // Synonyms are matched on folded words: a variant and its canonical phrase mean the same,
  // so a collision costs little. Variants are keyed by their first word, longest first.
  const variantsByHead = new Map<string, Array<{ seq: string[]; canonical: Word[] }>>();
  for (const group of data.synonyms) {
    const [first, ...rest] = group.map((p) => expandAbbreviations(lexiconWords(p)));
    const canonical = first as Word[];
    for (const words of rest) {
      if (words.length === 0) continue;
      const seq = words.map((w) => w.f);
      const list = variantsByHead.get(seq[0] as string) ?? [];
      list.push({ seq, canonical });
      variantsByHead.set(seq[0] as string, list);
    }
  }
  for (const list of variantsByHead.values()) list.sort((a, b) => b.seq.length - a.seq.length);

  const canonicalize = (raw: readonly WordLike[]): Word[] => {
    const words = raw.map(asWord);
    const out: Word[] = [];
    let i = 0;
    while (i < words.length) {
      const candidates = variantsByHead.get((words[i] as Word).f);
      const hit = candidates?.find((v) => v.seq.every((t, j) => words[i + j]?.f === t));
      if (hit) {
        out.push(...hit.canonical);
        i += hit.seq.length;
      } else {
        out.push(words[i] as Word);
        i += 1;
      }
    }
    return out;
  };

  const stopwords = new Map<string, Word[]>();
  for (const w of data.stopwords.flatMap((s) => lexiconWords(s))) {
    const list = stopwords.get(w.f) ?? [];
    list.push(w);
    stopwords.set(w.f, list);
  }
  const isStopword = (raw: WordLike): boolean => {
    const w = asWord(raw);
    return stopwords.get(w.f)?.some((s) => wordMatches(w, s)) ?? false;
  };

  const ruleWords = (p: string): Word[] => expandAbbreviations(lexiconWords(p));
  const rules = data.refusals.map((rule) =>
    "any" in rule
      ? { category: rule.category, groups: [rule.any.map(ruleWords)] }
      : { category: rule.category, groups: rule.all.map((g) => g.map(ruleWords)) },
  );
  const matchRefusal = (raw: readonly WordLike[]): RefusalCategory | null => {
    const words = raw.map(asWord);
    for (const rule of rules) {
      if (rule.groups.every((group) => group.some((seq) => findSeq(words, seq, refusalMatches) >= 0))) return rule.category;
    }
    return null;
  };

  return { expandAbbreviations, canonicalize, isStopword, matchRefusal, fingerprint: JSON.stringify(data) };
}
