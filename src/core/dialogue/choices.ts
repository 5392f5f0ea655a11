/**
 * Choices by id, whether tapped (Telegram buttons, the web page) or picked by typing their number
 * (Zalo, or any channel): consent, deletion, menu entries, skills questions, communes, flow
 * options, "Có phải bà con muốn hỏi…?" suggestions, feedback and "Hỏi cán bộ xã". Unknown ids
 * (an old button) get no reply.
 */
import { ask, command, isCommand, menuReply, myData, runEntry, skillsReply, startFlow, toStaff, type Ctx } from "./steps.js";
import type { CommandName, Reply } from "./types.js";
import { flowReply, info } from "./views.js";

type ChoiceStep = (c: Ctx, m: RegExpExecArray) => Promise<Reply[]> | Reply[];

/** Consent given or refused; after "Hỏi cán bộ xã" without consent, agreeing goes on to the staff question. */
function consentChosen(c: Ctx, granted: boolean): Reply[] {
  const { t } = c.sp;
  c.spent = true;
  c.d.assistant.setConsent(c.r, granted);
  if (granted && c.before.afterConsent === "staff") {
    c.s.awaiting = { kind: "staff" };
    return [{ text: `${t.consentThanks} ${t.staffPrompt(c.sp.v)}` }];
  }
  return [info(c.sp, granted ? t.consentAgreed : t.consentDeclined)];
}

/** 👍/👎: acknowledged on the button where tapped, by a reply where typed; 👎 asks for a reason. */
function feedback(c: Ctx, rating: "up" | "down", messageId: number): Reply[] {
  const { t } = c.sp;
  const ok = c.d.assistant.feedback(c.r, messageId, rating);
  c.ack = ok ? t.feedbackThanks : t.feedbackGone.buttons;
  if (!ok) return c.typed ? [info(c.sp, t.feedbackGone.numbers)] : [];
  if (rating === "down") {
    c.s.awaiting = { kind: "reason", messageId };
    return [{ text: t.reasonPrompt(c.sp.v) }];
  }
  return c.typed ? [info(c.sp, t.feedbackThanks)] : [];
}

function deleteChosen(c: Ctx, confirmed: boolean): Reply[] {
  c.spent = true;
  if (!confirmed) return [info(c.sp, c.sp.t.deleteKept)];
  c.d.assistant.forget(c.r);
  c.deleted = true;
  return [{ text: c.sp.t.deleted }];
}

function flowChosen(c: Ctx, optionId: string): Reply[] {
  c.spent = true;
  const reply = c.d.assistant.continueFlow(c.r, optionId);
  return [reply ? flowReply(c.sp, reply) : info(c.sp, c.sp.t.flowOver)];
}

function communeChosen(c: Ctx, id: string): Reply[] {
  const commune = c.d.knowledge().communes.get(id);
  if (!commune) return [];
  c.d.assistant.setCommune(c.r, commune.id);
  return [info(c.sp, c.sp.t.communeChosen(commune.name))];
}

function suggestionChosen(c: Ctx, index: number): Promise<Reply[]> | Reply[] {
  const question = c.s.suggestions[index];
  if (!question) return [{ text: c.sp.t.suggestionsGone }];
  c.s.suggestions = [];
  c.spent = true;
  return ask(c, question);
}

function entryChosen(c: Ctx, id: string): Promise<Reply[]> | Reply[] {
  const entry = c.d.menu.find((e) => e.id === id && (!e.channels || e.channels.includes(c.r.channel)));
  return entry ? runEntry(c, entry) : [menuReply(c)];
}

const CHOICES: ReadonlyArray<readonly [RegExp, ChoiceStep]> = [
  [/^consent:(yes|no)$/, (c, m) => consentChosen(c, m[1] === "yes")],
  [/^mydata$/, (c) => myData(c)],
  [/^delete:(yes|no)$/, (c, m) => deleteChosen(c, m[1] === "yes")],
  [/^menu:([a-z0-9-]+)$/, (c, m) => entryChosen(c, m[1] as string)],
  [/^command:([a-z]+)$/, (c, m) => (isCommand(m[1] as string) ? command(c, m[1] as CommandName, false) : [])],
  // Buttons of earlier versions' menus.
  [/^flow-start:([a-z0-9-]+)$/, (c, m) => startFlow(c, m[1] as string)],
  [/^flow:(.+)$/, (c, m) => flowChosen(c, m[1] as string)],
  [/^flow-cancel$/, (c) => {
    c.spent = true;
    c.d.assistant.cancelFlow(c.r);
    return [info(c.sp, c.sp.t.cancelled)];
  }],
  [/^ask:(\d{1,2})$/, (c, m) => {
    const question = c.sp.t.skillQuestions[Number(m[1])];
    return question ? ask(c, question) : [skillsReply(c)];
  }],
  [/^commune:([a-z0-9-]+)$/, (c, m) => communeChosen(c, m[1] as string)],
  [/^sug:(\d)$/, (c, m) => suggestionChosen(c, Number(m[1]))],
  [/^fb:(up|down):(\d{1,12})$/, (c, m) => feedback(c, m[1] === "up" ? "up" : "down", Number(m[2]))],
  [/^staff:(\d{1,12})$/, (c, m) => toStaff(c, { messageId: Number(m[1]) })],
];

/** A choice by id: what was pending is dropped first (the step may set something new). */
export function choice(c: Ctx, id: string): Promise<Reply[]> | Reply[] {
  c.s.awaiting = null;
  c.s.afterConsent = null;
  for (const [pattern, step] of CHOICES) {
    const m = pattern.exec(id);
    if (m) return step(c, m);
  }
  return [];
}
