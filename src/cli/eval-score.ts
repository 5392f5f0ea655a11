/**
 * How one evaluation item is scored against an answer. Pure, so the scorer itself is tested.
 *
 * An answerable item is answered right when the reply is an answer (not a refusal, hand-off,
 * small talk or "did you mean"), contains one of `must_mention_any`, contains none of
 * `must_not_mention`, is on point (a yes/no question gets its yes/no and a "when" question its date
 * in the first sentence), and is in English for an English question. A must-decline item is right
 * when the reply is a refusal that names where to go (one of `must_mention_any`, if any); a small
 * talk item when the reply is small talk. Strings are compared case- and diacritics-insensitively.
 */
import { z } from "zod/v4";
import { detectLanguage } from "../core/understanding/language.js";
import { fold, hasNoDiacritics } from "../core/text/normalize.js";

/** One evaluation item (eval/collected/FORMAT.md); the old set's items have only some fields. */
export const EvalItemSchema = z.object({
  id: z.string().min(1),
  topic: z.string().min(1),
  question: z.string().min(1),
  commune: z.enum(["cong-hoa", "phu-tan"]).nullable().optional(),
  must_mention_any: z.array(z.string()),
  must_not_mention: z.array(z.string()).default([]),
  answerable: z.boolean(),
  expect: z.enum(["answer", "decline", "smalltalk"]).optional(),
  qtype: z.string().optional(),
  origin: z.enum(["real", "written"]).optional(),
  source: z.string().nullable().optional(),
  source_type: z.string().optional(),
  style: z.array(z.string()).optional(),
  lang: z.enum(["vi", "en"]).optional(),
  reply_lang: z.enum(["vi", "en"]).optional(),
  expected_facts: z.array(z.string()).optional(),
  /** Old set only: knowledge documents, any of which counts as the right source. */
  expected_sources: z.array(z.string()).optional(),
});
export type EvalItem = z.infer<typeof EvalItemSchema>;

/** What the scorer needs of an answer. */
export interface ScoredAnswer {
  readonly answer: string;
  readonly kind: string;
  readonly sources: readonly { readonly id: string; readonly section?: string }[];
}

/** One scored item. */
export interface Outcome {
  readonly id: string;
  readonly topic: string;
  readonly expect: "answer" | "decline" | "smalltalk";
  readonly origin: "real" | "written" | "old";
  /** Typed without any diacritics (Vietnamese questions only; null for English). */
  readonly noDiacritics: boolean | null;
  readonly correct: boolean;
  readonly kind: string;
  /** The parts of the verdict, for the report and for reading failures. */
  readonly mentions: boolean;
  readonly forbidden: string | null;
  readonly onPoint: boolean;
  readonly languageOk: boolean;
  /** Characters of the reply (without the sources list). */
  readonly chars: number;
  readonly hit1: boolean | null;
  readonly hit3: boolean | null;
  readonly answer: string;
  readonly sources: readonly string[];
}

const KINDS_THAT_ANSWER = new Set(["faq", "extractive", "generative"]);

/** The first sentence of a reply (up to the first sentence end or line break). */
export function firstSentence(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  const end = line.search(/[.!?](?:\s|$)/);
  return end >= 0 ? line.slice(0, end + 1) : line;
}

// Words that open a yes/no answer ("Có.", "Không.", "Chưa.", "Vẫn …", "Được.", "Đã hết.", "Yes", "No").
const YES_NO_OPENERS = new Set(["co", "khong", "chua", "duoc", "van", "da", "dung", "phai", "nen", "can", "con", "het", "yes", "no", "not", "still"]);
const YES_NO_EN = /\b(?:yes|no|not|no longer|still|cannot|can't|can|does|doesn't|did|didn't|is|isn't|was|wasn't|has|hasn't|have|haven't|ended|will|won't)\b/i;
const DATE_LIKE = /\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b(?:19|20)\d{2}\b|\btháng\s+\d{1,2}\b|\bngày\s+\d{1,2}\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b/i;

/** True when the first sentence carries what a yes/no or "when" question asks for. */
export function isOnPoint(answer: string, qtype: string | undefined): boolean {
  const first = firstSentence(answer);
  if (qtype === "yesno") {
    const words = fold(first).match(/[a-z0-9]+/g) ?? [];
    return words.slice(0, 3).some((w) => YES_NO_OPENERS.has(w)) || (detectLanguage(first) === "en" && YES_NO_EN.test(first));
  }
  if (qtype === "when") return DATE_LIKE.test(first);
  return true;
}

/** Folded, with the long and short names of the same offices made one ("Ủy ban nhân dân" = "UBND"). */
const canonical = (text: string) => fold(text.normalize("NFC")).replace(/\buy ban nhan dan\b/g, "ubnd").replace(/\bbao hiem xa hoi\b/g, "bhxh").replace(/\bcan cuoc cong dan\b/g, "cccd");
const includesFolded = (text: string, needle: string) => canonical(text).includes(canonical(needle));

/** Scores one item against the reply it got. */
export function scoreItem(item: EvalItem, result: ScoredAnswer, origin: Outcome["origin"]): Outcome {
  const expect = item.expect ?? (item.answerable ? "answer" : "decline");
  const text = result.answer.normalize("NFC");
  const mentions = item.must_mention_any.length === 0 || item.must_mention_any.some((m) => includesFolded(text, m));
  const forbidden = item.must_not_mention.find((m) => includesFolded(text, m)) ?? null;
  const onPoint = expect !== "answer" || isOnPoint(text, item.qtype);
  const languageOk = item.reply_lang !== "en" || detectLanguage(text) === "en";
  let correct: boolean;
  if (expect === "answer") correct = KINDS_THAT_ANSWER.has(result.kind) && mentions && !forbidden && onPoint && languageOk;
  else if (expect === "decline") correct = result.kind === "refusal" && mentions && !forbidden;
  else correct = result.kind === "smalltalk" && mentions && !forbidden;
  const ids = result.sources.map((s) => s.id);
  const expected = item.expected_sources;
  const english = (item.lang ?? (detectLanguage(item.question) === "en" ? "en" : "vi")) === "en";
  return {
    id: item.id,
    topic: item.topic,
    expect,
    origin: item.origin ?? origin,
    noDiacritics: english ? null : hasNoDiacritics(item.question),
    correct,
    kind: result.kind,
    mentions,
    forbidden,
    onPoint,
    languageOk,
    chars: text.length,
    hit1: expected ? expected.includes(ids[0] ?? "") : null,
    hit3: expected ? ids.slice(0, 3).some((id) => expected.includes(id)) : null,
    answer: result.answer,
    sources: result.sources.map((s) => `${s.id}${s.section ? ` › ${s.section}` : ""}`),
  };
}
