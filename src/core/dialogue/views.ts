/**
 * Replies as data, built from the dialogue's texts for one channel's voice: which text, which
 * choices (stable ids), what the footer tells residents who type numbers. Pure: no state, no
 * store; the dialogue (dialogue.ts) decides which view to show and records what it offered.
 */
import type { Turn } from "../assistant.js";
import type { FlowReply } from "../flows/types.js";
import type { Choice, Reply } from "./types.js";
import type { DialogueTexts, Voice } from "./texts.js";

/** The texts and the voice of the channel being answered. */
export interface Speaker {
  readonly t: DialogueTexts;
  readonly v: Voice;
}

const numbers = (s: Speaker) => s.v.style === "numbers";

/** Choice ids by meaning (the stable ids channels send back). */
export const CHOICE = {
  consentYes: "consent:yes",
  consentNo: "consent:no",
  myData: "mydata",
  deleteYes: "delete:yes",
  deleteNo: "delete:no",
  flowCancel: "flow-cancel",
  menu: (entryId: string) => `menu:${entryId}`,
  skill: (i: number) => `ask:${i}`,
  commune: (id: string) => `commune:${id}`,
  flow: (optionId: string) => `flow:${optionId}`,
  suggestion: (i: number) => `sug:${i}`,
  up: (messageId: number) => `fb:up:${messageId}`,
  down: (messageId: number) => `fb:down:${messageId}`,
  staff: (messageId: number) => `staff:${messageId}`,
} as const;

/** A plain reply closed by the way back to the menu. */
export function info(s: Speaker, text: string): Reply {
  return { text, footer: s.v.back };
}

export function consentChoices(s: Speaker): Choice[] {
  return [
    { id: CHOICE.consentYes, label: s.t.consentLabels.agree },
    { id: CHOICE.consentNo, label: s.t.consentLabels.decline, sameRow: true },
  ];
}

/**
 * The privacy notice and the consent question, private; with the greeting for a welcome. On a
 * numbers channel the question closes the message with the numbers to type.
 */
export function noticeReply(s: Speaker, notice: string, greet: boolean): Reply {
  const head = greet ? `${s.t.welcome}\n\n` : "";
  const bold = greet ? [s.t.greeting] : [];
  if (numbers(s)) {
    return { text: `${head}${notice}`, choices: consentChoices(s), footer: `${s.t.consentQuestion} ${s.t.consentNumbers}\n${s.t.goMenu}`, bold, private: "notice" };
  }
  return { text: `${head}${notice}\n\n${s.t.consentQuestion}`, choices: consentChoices(s), bold: [...bold, s.t.consentQuestion], private: "notice" };
}

/** The notice with the resident's current choice, offering to change it or to see their data. */
export function privacyReply(s: Speaker, notice: string, status: string): Reply {
  const choices = [...consentChoices(s), { id: CHOICE.myData, label: s.t.myDataLabel }];
  if (numbers(s)) return { text: `${notice}\n\n${status}`, choices, footer: `${s.t.consentNumbers}\n${s.t.privacyNumbers(s.v)}`, private: "notice" };
  return { text: `${notice}\n\n${status} ${s.t.privacyChange}`, choices, bold: [status], private: "notice" };
}

/** Asks for consent before a question can go to staff. */
export function staffConsentReply(s: Speaker, text: string): Reply {
  return { text, choices: consentChoices(s), ...(numbers(s) ? { footer: s.t.consentNumbers } : {}) };
}

/** A numbered or tappable list: on a numbers channel the choices are listed under the text. */
export function listReply(s: Speaker, text: { buttons: string; numbers: string }, choices: Choice[], footer: string): Reply {
  if (numbers(s)) return { text: text.numbers, choices, list: true, footer };
  return { text: text.buttons, choices };
}

export function deleteConfirmReply(s: Speaker): Reply {
  const choices: Choice[] = [
    { id: CHOICE.deleteYes, label: s.t.deleteLabels.yes },
    { id: CHOICE.deleteNo, label: s.t.deleteLabels.no, sameRow: true },
  ];
  return { text: s.t.deleteConfirm, choices, ...(numbers(s) ? { footer: s.t.deleteNumbers } : {}) };
}

/** A guided flow's step: its options (and "Hủy" where there are buttons), or its outcome. */
export function flowReply(s: Speaker, reply: FlowReply): Reply {
  if (reply.options.length === 0) return { text: reply.text, sources: reply.sources, footer: s.v.back };
  const choices: Choice[] = reply.options.map((o) => ({ id: CHOICE.flow(o.id), label: o.label }));
  choices.push({ id: CHOICE.flowCancel, label: s.t.flowCancelLabel, secondary: true });
  return { text: reply.text, sources: reply.sources, choices, list: true, ...(numbers(s) ? { footer: s.t.flowNumbers } : {}) };
}

/** What an answered question offers: suggestions to pick, feedback, and the way to staff. */
export interface AnswerView {
  readonly reply: Reply;
  /** Questions behind the suggestion choices (kept in the state). */
  readonly suggestions: readonly string[];
}

/**
 * An answer with its sources and choices. `quiet`: the footer is left out (the consent question
 * follows and its numbers must be the only ones). `windowHours`: the channel's free reply window.
 */
export function answerView(s: Speaker, turn: Turn, o: { consented: boolean; quiet: boolean; windowHours: number | null }): AnswerView {
  const { result, messageId } = turn;
  const base = { text: result.answer, sources: result.sources, answerKind: result.kind };
  const footer = (text: string) => (numbers(s) && !o.quiet ? { footer: text } : {});
  const feedback: Choice[] = [
    { id: CHOICE.up(messageId), label: s.t.feedbackLabels.up },
    { id: CHOICE.down(messageId), label: s.t.feedbackLabels.down, sameRow: true },
  ];
  const staff: Choice = { id: CHOICE.staff(messageId), label: s.t.staffLabel };
  if (result.kind === "clarify" && result.suggestions?.length) {
    const suggestions = [...result.suggestions];
    const choices: Choice[] = suggestions.map((q, i) => ({ id: CHOICE.suggestion(i), label: q }));
    // 👎 here tells officials that none of the suggestions fitted.
    for (const extra of [...feedback, staff]) choices.push({ ...extra, secondary: true });
    return { reply: { ...base, sources: [], choices, ...footer(s.t.answerNumbers.suggestions(suggestions.length)) }, suggestions };
  }
  if (result.kind === "smalltalk") return { reply: { ...base, ...footer(s.v.back) }, suggestions: [] };
  const window = o.windowHours !== null ? ` ${s.t.windowNote(o.windowHours)}` : "";
  if (turn.queued) {
    const note = `${s.t.answerQueuedNote}${numbers(s) ? window : ""}`;
    return { reply: { ...base, choices: feedback, note, ...footer(s.t.answerNumbers.feedback) }, suggestions: [] };
  }
  if (result.kind === "refusal") return { reply: { ...base, choices: feedback, ...footer(s.t.answerNumbers.feedback) }, suggestions: [] };
  const choices = [...feedback, staff];
  if (result.kind === "handoff") {
    const note = !o.consented && !numbers(s) ? { note: s.t.answerStaffHint } : {};
    return { reply: { ...base, choices, ...note, ...footer(s.t.answerNumbers.staff(o.consented)) }, suggestions: [] };
  }
  return { reply: { ...base, choices, ...footer(s.t.answerNumbers.full) }, suggestions: [] };
}
