/** The pieces a radio script is made of, and how they are measured (compose.ts, select.ts). */
import { fold, tokenize } from "../text/normalize.js";

/** Where a fact was read from. */
export interface FactSource {
  readonly docId: string;
  readonly title: string;
  readonly section: string;
  readonly url: string | null;
  readonly asOf: string;
}

/** One sentence to read, with the knowledge text it was made from. */
export interface Fact {
  readonly spoken: string;
  readonly original: string;
  readonly source: FactSource;
}

/** A selectable piece of a script: one knowledge unit (or FAQ answer), one or more sentences. */
export interface Item {
  readonly facts: readonly Fact[];
  /** Groups consecutive items into one paragraph (same document and top-level section). */
  readonly group: string;
  /** Steps of a procedure are read whole or not at all. */
  readonly whole: boolean;
}

/** Counts the words (Vietnamese syllables) a reader says. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

export const itemWords = (item: Item) => item.facts.reduce((n, f) => n + countWords(f.spoken), 0);

export function contentTokens(text: string): Set<string> {
  return new Set(tokenize(fold(text)).filter((t) => t.length > 1));
}

/** True when `a` says nearly what one of `seen` already says (FAQ answers restate passages). */
export function repeats(a: Set<string>, seen: readonly Set<string>[]): boolean {
  for (const b of seen) {
    let common = 0;
    for (const t of a) if (b.has(t)) common++;
    const smaller = Math.min(a.size, b.size) || 1;
    if (common / smaller >= 0.8 || common / (a.size + b.size - common || 1) >= 0.6) return true;
  }
  return false;
}
