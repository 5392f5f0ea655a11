/**
 * Follow-up questions: the last question per resident (in memory only, never written to the
 * database: it is question text, which may be stored only with consent, and it is useful for a
 * short while at most), and how a new message continues it: "còn xã Phú Tân thì sao?" is the
 * previous question for that commune; with a language model, a follow-up is rewritten into a
 * standalone question.
 */
import type { CommuneDirectory } from "./knowledge/communes.js";
import type { Analyzer } from "./text/analyze.js";

/** The last question a resident asked. */
export interface LastQuestion {
  readonly question: string;
  /** Commune the resident named (not the default), if any. */
  readonly commune: string | null;
  readonly at: number;
}

/** A message read as a continuation of the last question. */
export interface FollowUp {
  readonly question: string;
  readonly commune: string | null;
}

export interface FollowUpDeps {
  /** Read at call time: the engine's knowledge is replaced by a re-index. */
  readonly knowledge: () => { readonly analyzer: Analyzer; readonly communes: CommuneDirectory };
  readonly rewrite?: (history: readonly string[], question: string) => Promise<string | null>;
  readonly now: () => number;
  /** How long the last question counts as context (ms). */
  readonly ttlMs: number;
}

const MAX_CONTEXTS = 10_000;

export function createFollowUps(d: FollowUpDeps) {
  // Bounded: the oldest entries go first.
  const contexts = new Map<string, LastQuestion>();

  /**
   * "còn xã Phú Tân thì sao?": a question that names a commune and asks nothing else is the
   * previous question, for that commune.
   */
  function expand(text: string, context: LastQuestion): FollowUp | null {
    const { analyzer, communes } = d.knowledge();
    const words = analyzer.routingWords(text);
    const named = communes.detect(words.map((w) => w.f));
    if (!named) return null;
    const start = named.start > 0 && words[named.start - 1]?.f === "xa" ? named.start - 1 : named.start;
    const rest = analyzer.analyzeRoutingWords([...words.slice(0, start), ...words.slice(named.end)]);
    if (rest.contentTokens.length > 0) return null;
    return { question: context.question, commune: named.commune.id };
  }

  /**
   * The follow-up rewritten by the language model, with the commune named in it (or in the new
   * text). Never for a question the rules refuse: that refusal must not depend on the model.
   */
  async function rewritten(text: string, context: LastQuestion): Promise<FollowUp | null> {
    if (!d.rewrite) return null;
    const { analyzer, communes } = d.knowledge();
    const words = analyzer.routingWords(text);
    if (analyzer.lexicon.matchRefusal(words)) return null;
    let question: string | null;
    try {
      question = (await d.rewrite([context.question], text))?.trim() || null;
    } catch {
      question = null;
    }
    if (!question) return null;
    const named = communes.detect(words.map((w) => w.f)) ?? communes.detect(analyzer.routingWords(question).map((w) => w.f));
    return { question, commune: named?.commune.id ?? null };
  }

  return {
    /** The resident's last question while it counts as context. */
    context(key: string): LastQuestion | undefined {
      const context = contexts.get(key);
      if (context && d.now() - context.at > d.ttlMs) contexts.delete(key);
      return context && d.now() - context.at <= d.ttlMs ? context : undefined;
    },
    /** `text` read as a continuation of `context`, or null when it is a question of its own. */
    async resolve(text: string, context: LastQuestion | undefined): Promise<FollowUp | null> {
      if (!context) return null;
      return (await rewritten(text, context)) ?? expand(text, context);
    },
    /** A context a channel kept itself, if it has not expired (and is not from the future). */
    fresh(context: LastQuestion | null): LastQuestion | undefined {
      return context && context.at <= d.now() && d.now() - context.at <= d.ttlMs ? context : undefined;
    },
    remember(key: string, question: string, commune: string | null): LastQuestion {
      const context = { question, commune, at: d.now() };
      contexts.delete(key);
      contexts.set(key, context);
      if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
      return context;
    },
    forget(key: string): void {
      contexts.delete(key);
    },
  };
}
