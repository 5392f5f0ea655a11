/**
 * The dialogue's steps, shared by events and choices: answering a question, the way to staff,
 * the menu and its lists, the privacy notice, one's data, guided flows and named commands. Each
 * step works on one event's context (Ctx): it changes the resident's state in place and returns
 * the replies; the dialogue (dialogue.ts) loads and saves the state around it.
 */
import type { Assistant, Resident } from "../assistant.js";
import type { Flow } from "../flows/types.js";
import type { CommuneDirectory } from "../knowledge/communes.js";
import { myDataText } from "../privacy/notice.js";
import type { Store } from "../store.js";
import type { Choice, CommandName, DialogueState, HandleOptions, MenuEntry, Reply } from "./types.js";
import { answerView, CHOICE, deleteConfirmReply, flowReply, info, listReply, noticeReply, privacyReply, staffConsentReply, type Speaker } from "./views.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the steps work with, for every event. */
export interface StepDeps {
  readonly assistant: Assistant;
  readonly store: Store;
  readonly knowledge: () => { readonly communes: CommuneDirectory; readonly flows: readonly Flow[] };
  readonly menu: readonly MenuEntry[];
  readonly retentionDays: number;
  readonly controller: string;
  /** The channel's free reply window in hours (what residents are told), null when it has none. */
  readonly windowHours: (r: Resident) => number | null;
}

/** One event being handled. */
export interface Ctx {
  readonly d: StepDeps;
  readonly r: Resident;
  readonly sp: Speaker;
  readonly o: HandleOptions;
  /** The resident's state as it was before this event. */
  readonly before: DialogueState;
  /** The resident's state, changed in place by the steps. */
  readonly s: Mutable<DialogueState>;
  /** The choice was typed as a number (its acknowledgement must be a reply, not a toast). */
  typed: boolean;
  /** The resident's data was deleted: nothing may be written back. */
  deleted: boolean;
  /** The choices offered before stay open (a number out of range was typed). */
  keepOffered?: boolean;
  ack?: string;
  spent?: boolean;
}

/**
 * The menu as choices `menu:<id>` for a channel: its entries, those of guided flows only when the
 * flow exists, labelled with the flow's current title unless the entry has a label.
 */
export function menuChoices(menu: readonly MenuEntry[], channel: Resident["channel"], flows: readonly Flow[]): Choice[] {
  const choices: Choice[] = [];
  for (const e of menu) {
    if (e.channels && !e.channels.includes(channel)) continue;
    const flow = e.action.kind === "flow" ? flows.find((f) => f.id === (e.action as { flow: string }).flow) : undefined;
    if (e.action.kind === "flow" && !flow) continue;
    choices.push({ id: CHOICE.menu(e.id), label: e.label ?? flow?.title ?? e.short ?? e.id, ...(e.short ? { short: e.short } : {}) });
  }
  return choices;
}

export const userOf = (c: Ctx) => c.d.store.getUser(c.d.store.userKey(c.r.channel, c.r.channelUserId));
const numbers = (c: Ctx) => c.sp.v.style === "numbers";

/** The privacy notice with this channel's ways to see and delete data. */
export function notice(c: Ctx): string {
  return c.sp.t.notice({ retentionDays: c.d.retentionDays, controller: c.d.controller, deleteHow: c.sp.v.deleteHow, viewHow: c.sp.v.viewHow });
}

/** Records that the notice was shown (it creates the resident's record, like any first choice). */
export function welcomed(c: Ctx): void {
  c.d.assistant.user(c.r);
  c.s.welcomed = true;
}

/**
 * Answers a question. Someone who never saw the notice (or deleted their data) gets it after an
 * answer, once, in a conversation of their own; the answer's own numbers are then left out so the
 * consent's are the only ones.
 */
export async function ask(c: Ctx, question: string): Promise<Reply[]> {
  await c.o.typing?.();
  const before = userOf(c);
  const turn = await c.d.assistant.ask(c.r, question, { deliveryAddress: c.r.channelUserId, ...(c.o.commune ? { commune: c.o.commune } : {}) });
  const { kind, suggestions } = turn.result;
  const offersFeedback = kind !== "smalltalk" && !(kind === "clarify" && suggestions?.length);
  const noticeNext = offersFeedback && !c.s.welcomed && (before?.consent ?? null) === null && !c.o.shared;
  const consented = userOf(c)?.consent?.granted === true;
  const view = answerView(c.sp, turn, { consented, quiet: noticeNext, windowHours: c.d.windowHours(c.r) });
  if (view.suggestions.length) c.s.suggestions = [...view.suggestions];
  if (!noticeNext) return [view.reply];
  welcomed(c);
  return [view.reply, noticeReply(c.sp, notice(c), false)];
}

/** "Hỏi cán bộ xã": the question comes next, once the resident agreed to storage. */
export function staffEntry(c: Ctx): Reply[] {
  if (userOf(c)?.consent?.granted !== true) {
    c.s.afterConsent = "staff";
    return [staffConsentReply(c.sp, c.sp.t.staffNeedsConsent)];
  }
  c.s.awaiting = { kind: "staff" };
  return [{ text: c.sp.t.staffPrompt(c.sp.v) }];
}

/** Sends a stored answer's question (`messageId`) or typed text to staff. */
export function toStaff(c: Ctx, input: { messageId: number } | { text: string }): Reply[] {
  const { t, v } = c.sp;
  const outcome = c.d.assistant.requestStaff(c.r, { ...input, deliveryAddress: c.r.channelUserId });
  if (outcome.ok) {
    if ("messageId" in input) c.spent = true;
    const hours = c.d.windowHours(c.r);
    return [info(c.sp, hours === null ? t.staffSent : `${t.staffSent} ${t.windowNote(hours)}`)];
  }
  if (outcome.reason === "consent_required") {
    c.s.afterConsent = "staff";
    return [staffConsentReply(c.sp, "text" in input ? t.staffNotSent : t.staffNeedsConsentAgain)];
  }
  c.s.awaiting = { kind: "staff" };
  return [{ text: t.staffQuestionGone(v) }];
}

export function menuReply(c: Ctx): Reply {
  return listReply(c.sp, c.sp.t.menuPrompt, menuChoices(c.d.menu, c.r.channel, c.d.knowledge().flows), c.sp.t.menuNumbers);
}

export function skillsReply(c: Ctx): Reply {
  const choices = c.sp.t.skillQuestions.map((q, i) => ({ id: CHOICE.skill(i), label: q }));
  return listReply(c.sp, c.sp.t.skillsPrompt, choices, c.sp.t.toMenu);
}

function communeReply(c: Ctx): Reply {
  const { communes } = c.d.knowledge();
  const chosen = userOf(c)?.commune;
  const current = chosen ? (communes.get(chosen)?.name ?? null) : null;
  const text = c.sp.t.communePrompt(current, c.sp.v);
  const choices = communes.all.map((x) => ({ id: CHOICE.commune(x.id), label: c.sp.t.communeLabel(x.name) }));
  return listReply(c.sp, { buttons: text, numbers: text }, choices, c.sp.t.toMenu);
}

function privacy(c: Ctx): Reply[] {
  const consent = userOf(c)?.consent ?? null;
  const { consentStatus } = c.sp.t;
  const status = consent === null ? consentStatus.none : consent.granted ? consentStatus.granted : consentStatus.declined;
  if (!c.o.shared) welcomed(c);
  return [privacyReply(c.sp, notice(c), status)];
}

export function myData(c: Ctx): Reply[] {
  const text = myDataText(c.d.assistant.myData(c.r), { retentionDays: c.d.retentionDays, deleteHow: c.sp.v.deleteHow, channelName: c.sp.v.accountName });
  return [{ text, private: "data", ...(numbers(c) ? { footer: c.sp.v.back } : {}) }];
}

export function startFlow(c: Ctx, flowId: string): Reply[] {
  if (!c.d.knowledge().flows.some((f) => f.id === flowId)) return [info(c.sp, c.sp.t.flowOver)];
  return [flowReply(c.sp, c.d.assistant.startFlow(c.r, flowId))];
}

/** What a menu entry does. */
export function runEntry(c: Ctx, entry: MenuEntry): Promise<Reply[]> | Reply[] {
  const a = entry.action;
  switch (a.kind) {
    case "skills":
      return [skillsReply(c)];
    case "flow":
      return startFlow(c, a.flow);
    case "ask":
      return ask(c, a.question);
    case "staff":
      return staffEntry(c);
    case "commune":
      return [communeReply(c)];
    case "privacy":
      return privacy(c);
    case "help":
      return [{ text: c.sp.t.help(c.sp.v) }];
  }
}

/** A named command; `pending`: a reason or a staff question was awaited (now dropped). */
export function command(c: Ctx, name: CommandName, pending: boolean): Promise<Reply[]> | Reply[] {
  const { t } = c.sp;
  switch (name) {
    case "start":
      if (!c.o.shared) welcomed(c);
      return [noticeReply(c.sp, notice(c), true)];
    case "menu":
      c.d.assistant.cancelFlow(c.r);
      return [menuReply(c)];
    case "help":
      return [{ text: t.help(c.sp.v) }];
    case "commune":
      return [communeReply(c)];
    case "privacy":
      return privacy(c);
    case "mydata":
      return myData(c);
    case "delete":
      return [deleteConfirmReply(c.sp)];
    case "cancel": {
      const had = c.d.assistant.cancelFlow(c.r) || pending;
      return [info(c.sp, had ? t.cancelled : t.nothingToCancel)];
    }
    case "staff":
      return staffEntry(c);
  }
}

const COMMAND_NAMES: readonly string[] = ["start", "menu", "help", "commune", "privacy", "mydata", "delete", "cancel", "staff"] satisfies CommandName[];
export const isCommand = (name: string): name is CommandName => COMMAND_NAMES.includes(name);
