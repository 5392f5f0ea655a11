/**
 * Reads a resident's message before anything is looked up: its language, whether it is small
 * talk, which parts are only framing (greetings, self-introduction, petition wording), which
 * part asks the question, what kind of answer it wants, and the entities it names. Pure and
 * deterministic: the same text always gives the same reading, with or without diacritics.
 */
import type { Analyzer } from "../text/analyze.js";
import type { SmallTalkKind } from "../text/lexicon.js";
import { fold, type Word } from "../text/normalize.js";
import { detectEntities, type Entities } from "./entities.js";
import { stripSegment, type FrameKind } from "./frames.js";
import { detectLanguage, type Language } from "./language.js";
import { detectQuestionType, type QuestionType } from "./question-type.js";

/** How the assistant read a message. */
export interface Understanding {
  readonly lang: Language;
  /** Set when the whole message is small talk ("xin chào", "cảm ơn", "ok", "bạn là ai"). */
  readonly smallTalk: SmallTalkKind | null;
  readonly qtype: QuestionType;
  /** Words of the segments that ask something (abbreviations expanded), frames removed. */
  readonly focus: readonly Word[];
  /** Words of the other segments (a story told before the question), frames removed. */
  readonly context: readonly Word[];
  /** All words kept, in order (focus and context). */
  readonly words: readonly Word[];
  readonly entities: Entities;
  /** The frames recognised and removed. */
  readonly frames: readonly FrameKind[];
}

// Segments: sentences, lines, and comma-separated parts ("tôi tên Tư, 70 tuổi, ở thôn 2, …").
const SEGMENT = /[^.?!;,\n…]+[.?!;,\n…]*/gu;

const MONEY = /\b\d+(?:[.,]\d+)*\s*(?:trieu|tr|nghin|ngan|k|dong|d|ty|cu|lit|vnd)\b/;

/** Question words that make a segment the one that asks (folded). */
const ASKING = new Set(["gi", "nao", "sao", "dau", "khong", "chua", "ai", "bao", "may", "ha", "nhieu", "what", "how", "why", "where", "when", "who", "which"]);

/** Reads `text` with the analyzer's lexicon (abbreviations, small talk). */
export function understand(text: string, analyzer: Analyzer): Understanding {
  const nfc = text.normalize("NFC");
  const lang = detectLanguage(nfc);
  const all = analyzer.routingWords(nfc);
  const smallTalk = analyzer.lexicon.matchSmallTalk(all) ?? emojiSmallTalk(nfc, all.length);

  const frames = new Set<FrameKind>();
  const segments: Array<{ words: Word[]; asks: boolean; mark: boolean }> = [];
  for (const match of nfc.matchAll(SEGMENT)) {
    const raw = match[0];
    const words = stripSegment(analyzer.routingWords(raw), frames);
    if (words.length === 0) continue;
    const mark = /\?/.test(raw);
    const asks = mark || words.some((w) => ASKING.has(w.f)) || detectQuestionType(words.map((w) => w.f)) !== "other";
    segments.push({ words, asks, mark });
  }
  // A message split by commas into short bits ("2g, tat chua") is one question: if no segment asks,
  // or every segment is short, read the whole as one.
  const asking = segments.filter((s) => s.asks);
  const focusSegments = asking.length ? asking : segments;
  const focus = focusSegments.flatMap((s) => s.words);
  const context = segments.filter((s) => !focusSegments.includes(s)).flatMap((s) => s.words);
  const words = segments.flatMap((s) => s.words);

  // The type comes from the segments that ask, last first (a story ends with its question).
  let qtype: QuestionType = "other";
  for (const s of [...focusSegments].reverse()) {
    const t = detectQuestionType(s.words.map((w) => w.f), s.mark);
    if (t !== "other") {
      qtype = t;
      break;
    }
  }
  if (qtype === "other") qtype = detectQuestionType(focus.map((w) => w.f), /\?\s*$/.test(nfc));

  // "chuyển 500 triệu", "mất 5tr", "200k": an amount of money means the question is about money.
  const money = MONEY.test(fold(nfc)) && !focus.some((w) => w.f === "tien") ? [{ o: "tiền", f: "tien", exact: false }] : [];
  return { lang, smallTalk, qtype, focus: [...focus, ...money], context, words, entities: detectEntities(all.map((w) => w.f)), frames: [...frames] };
}

/** "👍", "🙏", "❤️" alone: a thumbs-up or thanks with no words. */
function emojiSmallTalk(text: string, wordCount: number): SmallTalkKind | null {
  if (wordCount > 0) return null;
  if (/[🙏❤💕🌹]/u.test(text)) return "thanks";
  if (/[👍👌✅🆗😊🙂😀]/u.test(text)) return "ack";
  if (/[👋]/u.test(text)) return "greeting";
  return null;
}
