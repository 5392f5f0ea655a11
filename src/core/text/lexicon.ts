import { z } from "zod/v4";
import { fold, tokenize } from "./normalize.js";

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

type TokenSeq = readonly string[];

/** Compiled lexicon: abbreviation map, synonym rewrite table, stopwords and refusal rules. */
export interface Lexicon {
  /** Expands chat abbreviations in folded query tokens ("dt" → "dien", "thoai"). */
  expandAbbreviations(tokens: TokenSeq): string[];
  /** Rewrites every synonym variant to its group's canonical phrase (longest match first). */
  canonicalize(tokens: TokenSeq): string[];
  /** True for function words that carry no topic ("la", "cua", "khong", "ad" …). */
  isStopword(token: string): boolean;
  /** The first refusal category whose rule matches the (abbreviation-expanded) tokens. */
  matchRefusal(tokens: TokenSeq): RefusalCategory | null;
  /** Stable digest input: the normalized lexicon, so the index is rebuilt when it changes. */
  readonly fingerprint: string;
}

function toTokens(text: string): string[] {
  return tokenize(fold(text));
}

function indexOfSeq(haystack: TokenSeq, needle: TokenSeq, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Builds a {@link Lexicon} from validated data. Phrases are folded, so diacritics are optional. */
export function createLexicon(input: unknown): Lexicon {
  const data = LexiconDataSchema.parse(input);

  const abbreviations = new Map<string, string[]>();
  for (const [short, long] of Object.entries(data.abbreviations)) {
    const key = toTokens(short);
    if (key.length !== 1) throw new Error(`lexicon: abbreviation key must be one word: ${short}`);
    abbreviations.set(key[0] as string, toTokens(long));
  }
  const expandAbbreviations = (tokens: TokenSeq): string[] =>
    tokens.flatMap((t) => abbreviations.get(t) ?? [t]);

  // Synonym variants keyed by their first token; longer variants are tried first.
  const variantsByHead = new Map<string, Array<{ seq: string[]; canonical: string[] }>>();
  for (const group of data.synonyms) {
    const [first, ...rest] = group.map((p) => expandAbbreviations(toTokens(p)));
    const canonical = first as string[];
    for (const seq of rest) {
      if (seq.length === 0) continue;
      const head = seq[0] as string;
      const list = variantsByHead.get(head) ?? [];
      list.push({ seq, canonical });
      variantsByHead.set(head, list);
    }
  }
  for (const list of variantsByHead.values()) list.sort((a, b) => b.seq.length - a.seq.length);

  const canonicalize = (tokens: TokenSeq): string[] => {
    const out: string[] = [];
    let i = 0;
    while (i < tokens.length) {
      const candidates = variantsByHead.get(tokens[i] as string);
      const hit = candidates?.find((v) => v.seq.every((t, j) => tokens[i + j] === t));
      if (hit) {
        out.push(...hit.canonical);
        i += hit.seq.length;
      } else {
        out.push(tokens[i] as string);
        i += 1;
      }
    }
    return out;
  };

  const stopwords = new Set(data.stopwords.flatMap((w) => toTokens(w)));

  const ruleTokens = (p: string): string[] => expandAbbreviations(toTokens(p));
  const rules = data.refusals.map((rule) =>
    "any" in rule
      ? { category: rule.category, groups: [rule.any.map(ruleTokens)] }
      : { category: rule.category, groups: rule.all.map((g) => g.map(ruleTokens)) },
  );
  const matchRefusal = (tokens: TokenSeq): RefusalCategory | null => {
    for (const rule of rules) {
      if (rule.groups.every((group) => group.some((seq) => indexOfSeq(tokens, seq) >= 0))) {
        return rule.category;
      }
    }
    return null;
  };

  return {
    expandAbbreviations,
    canonicalize,
    isStopword: (t) => stopwords.has(t),
    matchRefusal,
    fingerprint: JSON.stringify(data),
  };
}
