/**
 * The words the curated matcher (curated.ts) works on: content words and pairs of adjacent
 * content words, and how a word was spelled with diacritics (for accent-aware matching).
 */
import type { Analysis } from "../text/analyze.js";
import { ENGLISH_STOPWORDS } from "../understanding/language.js";

/** A date in an answer: "15/9/2026", "2025", "tháng 9". */
export const DATE = /\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b(?:19|20)\d{2}\b|\btháng\s+\d{1,2}\b/iu;

/**
 * The marks of a word typed with diacritics, independent of where the tone mark sits ("hoà" and
 * "hòa", "thuỷ" and "thủy" are the same word): the combining marks, sorted, and whether it has đ.
 */
export function marksOf(word: string): string {
  const marks = [...word.normalize("NFD")].filter((c) => /[\u0300-\u036f]/.test(c)).sort().join("");
  return /đ/i.test(word) ? `${marks}đ` : marks;
}

/** The spellings of each folded word in an analysis; "any" when the text was typed without marks. */
export function spellingsOf(a: Analysis, into: Map<string, Set<string> | "any">): void {
  a.tokens.forEach((t, i) => {
    const typed = a.marked[i];
    const current = into.get(t);
    if (current === "any") return;
    if (typed == null) into.set(t, "any");
    else if (current) current.add(marksOf(typed));
    else into.set(t, new Set([marksOf(typed)]));
  });
}

/** The content words of an analysis, without English function words. */
function wordsOf(a: Analysis): string[] {
  return a.contentTokens.filter((t) => !ENGLISH_STOPWORDS.has(t));
}

/**
 * The terms an entry or a question is matched on: its content words and, with `pairs`, the pairs
 * of adjacent content words ("toc_do", "di_dong"). Without diacritics many syllables fold alike
 * ("độ", "đó", "đỗ" are all "do"); the pair keeps the word they make together.
 */
export function termsOf(a: Analysis, pairs: boolean): string[] {
  const words = wordsOf(a);
  if (!pairs) return words;
  const content = new Set(words);
  const out = [...words];
  for (let i = 0; i + 1 < a.tokens.length; i++) {
    const x = a.tokens[i] as string;
    const y = a.tokens[i + 1] as string;
    if (content.has(x) && content.has(y)) out.push(`${x}_${y}`);
  }
  return out;
}
