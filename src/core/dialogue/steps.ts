/**
 * What the dialogue does for each kind of event: typed text (commands, numbers, a reason, a
 * question for staff, a flow answer, a question), named commands, choices by id, follows and
 * media. Every step works on one event's context: it changes the resident's state in place and
 * returns the replies; the dialogue (dialogue.ts) loads and saves the state around it.
 */
import type { Assistant, Resident } from "../assistant.js";
import type { CommuneDirectory } from "../knowledge/communes.js";
import type { Flow } from "../flows/types.js";
import { myDataText } from "../privacy/notice.js";
import type { Store } from "../store.js";
import { typedCommand, typedKey, typedNumber } from "./commands.js";
import type { Choice, CommandName, DialogueEvent, DialogueState, HandleOptions, MenuEntry, Reply } from "./types.js";
import { answerView, CHOICE, deleteConfirmReply, flowReply, info, listReply, noticeReply, privacyReply, staffConsentReply, type Speaker } from "./views.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One event being handled. */
export interface Ctx {
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

type ChoiceStep = (c: Ctx, m: RegExpExecArray) => Promise<Reply[]> | Reply[];

export function createSteps(d: StepDeps) {
  const { assistant, store } = d;
  const userOf = (r: Resident) => store.getUser(store.userKey(r.channel, r.channelUserId));
  const notice = (c: Ctx) => c.sp.t.notice({ retentionDays: d.retentionDays, controller: d.controller, deleteHow: c.sp.v.deleteHow, viewHow: c.sp.v.viewHow });
  const numbers = (c: Ctx) => c.sp.v.style === "numbers";

  /** Records that the notice was shown (it creates the resident's record, like any first choice). */
  function welcomed(c: Ctx): void {
    assistant.user(c.r);
    c.s.welcomed = true;
  }

  async function ask(c: Ctx, question: string): Promise<Reply[]> {
    await c.o.typing?.();
    const before = userOf(c.r);
    const turn = await assistant.ask(c.r, question, { deliveryAddress: c.r.channelUserId, ...(c.o.commune ? { commune: c.o.commune } : {}) });
    const { kind, suggestions } = turn.result;
    // Someone who never saw the notice (or deleted their data) gets it after an answer, once, in a
    // conversation of their own; the answer's own numbers are left out so the consent's are the only ones.
    const offersFeedback = kind !== "smalltalk" && !(kind === "clarify" && suggestions?.length);
    const noticeNext = offersFeedback && !c.s.welcomed && (before?.consent ?? null) === null && !c.o.shared;
    const consented = userOf(c.r)?.consent?.granted === true;
    const view = answerView(c.sp, turn, { consented, quiet: noticeNext, windowHours: d.windowHours(c.r) });
    if (view.suggestions.length) c.s.suggestions = [...view.suggestions];
    if (!noticeNext) return [view.reply];
    welcomed(c);
    return [view.reply, noticeReply(c.sp, notice(c), false)];
  }

  function staffEntry(c: Ctx): Reply[] {
    if (userOf(c.r)?.consent?.granted !== true) {
      c.s.afterConsent = "staff";
      return [staffConsentReply(c.sp, c.sp.t.staffNeedsConsent)];
    }
    c.s.awaiting = { kind: "staff" };
    return [{ text: c.sp.t.staffPrompt(c.sp.v) }];
  }

  /** "Hỏi cán bộ xã" for a stored answer (`messageId`) or typed text. */
  function toStaff(c: Ctx, input: { messageId: number } | { text: string }): Reply[] {
    const { t, v } = c.sp;
    const outcome = assistant.requestStaff(c.r, { ...input, deliveryAddress: c.r.channelUserId });
    if (outcome.ok) {
      if ("messageId" in input) c.spent = true;
      const hours = d.windowHours(c.r);
      return [info(c.sp, hours === null ? t.staffSent : `${t.staffSent} ${t.windowNote(hours)}`)];
    }
    if (outcome.reason === "consent_required") {
      c.s.afterConsent = "staff";
      return [staffConsentReply(c.sp, "text" in input ? t.staffNotSent : t.staffNeedsConsentAgain)];
    }
    c.s.awaiting = { kind: "staff" };
    return [{ text: t.staffQuestionGone(v) }];
  }

  function menuReply(c: Ctx): Reply {
    return listReply(c.sp, c.sp.t.menuPrompt, menuChoices(d.menu, c.r.channel, d.knowledge().flows), c.sp.t.menuNumbers);
  }

  function skillsReply(c: Ctx): Reply {
    const choices = c.sp.t.skillQuestions.map((q, i) => ({ id: CHOICE.skill(i), label: q }));
    return listReply(c.sp, c.sp.t.skillsPrompt, choices, c.sp.t.toMenu);
  }

  function communeReply(c: Ctx): Reply {
    const { communes } = d.knowledge();
    const chosen = userOf(c.r)?.commune;
    const current = chosen ? (communes.get(chosen)?.name ?? null) : null;
    const text = c.sp.t.communePrompt(current, c.sp.v);
    const choices = communes.all.map((x) => ({ id: CHOICE.commune(x.id), label: c.sp.t.communeLabel(x.name) }));
    return listReply(c.sp, { buttons: text, numbers: text }, choices, c.sp.t.toMenu);
  }

  function privacy(c: Ctx): Reply[] {
    const consent = userOf(c.r)?.consent ?? null;
    const { consentStatus } = c.sp.t;
    const status = consent === null ? consentStatus.none : consent.granted ? consentStatus.granted : consentStatus.declined;
    if (!c.o.shared) welcomed(c);
    return [privacyReply(c.sp, notice(c), status)];
  }

  function myData(c: Ctx): Reply[] {
    const text = myDataText(assistant.myData(c.r), { retentionDays: d.retentionDays, deleteHow: c.sp.v.deleteHow, channelName: c.sp.v.accountName });
    return [{ text, private: "data", ...(numbers(c) ? { footer: c.sp.v.back } : {}) }];
  }

  function startFlow(c: Ctx, flowId: string): Reply[] {
    if (!d.knowledge().flows.some((f) => f.id === flowId)) return [info(c.sp, c.sp.t.flowOver)];
    return [flowReply(c.sp, assistant.startFlow(c.r, flowId))];
  }

  function runEntry(c: Ctx, entry: MenuEntry): Promise<Reply[]> | Reply[] {
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
  function command(c: Ctx, name: CommandName, pending: boolean): Promise<Reply[]> | Reply[] {
    const { t } = c.sp;
    switch (name) {
      case "start":
        if (!c.o.shared) welcomed(c);
        return [noticeReply(c.sp, notice(c), true)];
      case "menu":
        assistant.cancelFlow(c.r);
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
        const had = assistant.cancelFlow(c.r) || pending;
        return [info(c.sp, had ? t.cancelled : t.nothingToCancel)];
      }
      case "staff":
        return staffEntry(c);
    }
  }

  /** Consent given or refused; after "Hỏi cán bộ xã" without consent, agreeing goes on to the staff question. */
  function consentChosen(c: Ctx, granted: boolean): Reply[] {
    const { t } = c.sp;
    c.spent = true;
    assistant.setConsent(c.r, granted);
    if (granted && c.before.afterConsent === "staff") {
      c.s.awaiting = { kind: "staff" };
      return [{ text: `${t.consentThanks} ${t.staffPrompt(c.sp.v)}` }];
    }
    return [info(c.sp, granted ? t.consentAgreed : t.consentDeclined)];
  }

  function feedback(c: Ctx, rating: "up" | "down", messageId: number): Reply[] {
    const { t } = c.sp;
    const ok = assistant.feedback(c.r, messageId, rating);
    c.ack = ok ? t.feedbackThanks : t.feedbackGone.buttons;
    if (!ok) return c.typed ? [info(c.sp, t.feedbackGone.numbers)] : [];
    if (rating === "down") {
      c.s.awaiting = { kind: "reason", messageId };
      return [{ text: t.reasonPrompt(c.sp.v) }];
    }
    return c.typed ? [info(c.sp, t.feedbackThanks)] : [];
  }

  const CHOICES: ReadonlyArray<readonly [RegExp, ChoiceStep]> = [
    [/^consent:(yes|no)$/, (c, m) => consentChosen(c, m[1] === "yes")],
    [/^mydata$/, (c) => myData(c)],
    [/^delete:(yes|no)$/, (c, m) => {
      c.spent = true;
      if (m[1] === "no") return [info(c.sp, c.sp.t.deleteKept)];
      assistant.forget(c.r);
      c.deleted = true;
      return [{ text: c.sp.t.deleted }];
    }],
    [/^menu:([a-z0-9-]+)$/, (c, m) => {
      const entry = d.menu.find((e) => e.id === m[1] && (!e.channels || e.channels.includes(c.r.channel)));
      return entry ? runEntry(c, entry) : [menuReply(c)];
    }],
    [/^command:([a-z]+)$/, (c, m) => (isCommand(m[1] as string) ? command(c, m[1] as CommandName, false) : [])],
    [/^flow-start:([a-z0-9-]+)$/, (c, m) => startFlow(c, m[1] as string)],
    [/^flow:(.+)$/, (c, m) => {
      c.spent = true;
      const reply = assistant.continueFlow(c.r, m[1] as string);
      return [reply ? flowReply(c.sp, reply) : info(c.sp, c.sp.t.flowOver)];
    }],
    [/^flow-cancel$/, (c) => {
      c.spent = true;
      assistant.cancelFlow(c.r);
      return [info(c.sp, c.sp.t.cancelled)];
    }],
    [/^ask:(\d{1,2})$/, (c, m) => {
      const question = c.sp.t.skillQuestions[Number(m[1])];
      return question ? ask(c, question) : [skillsReply(c)];
    }],
    [/^commune:([a-z0-9-]+)$/, (c, m) => {
      const commune = d.knowledge().communes.get(m[1] as string);
      if (!commune) return [];
      assistant.setCommune(c.r, commune.id);
      return [info(c.sp, c.sp.t.communeChosen(commune.name))];
    }],
    [/^sug:(\d)$/, (c, m) => {
      const question = c.s.suggestions[Number(m[1])];
      if (!question) return [{ text: c.sp.t.suggestionsGone }];
      c.s.suggestions = [];
      c.spent = true;
      return ask(c, question);
    }],
    [/^fb:(up|down):(\d{1,12})$/, (c, m) => feedback(c, m[1] === "up" ? "up" : "down", Number(m[2]))],
    [/^staff:(\d{1,12})$/, (c, m) => toStaff(c, { messageId: Number(m[1]) })],
  ];

  /** A choice by id: what was pending is dropped first (the step may set something new). */
  function choice(c: Ctx, id: string): Promise<Reply[]> | Reply[] {
    c.s.awaiting = null;
    c.s.afterConsent = null;
    for (const [pattern, step] of CHOICES) {
      const m = pattern.exec(id);
      if (m) return step(c, m);
    }
    return [];
  }

  async function text(c: Ctx, typed: string): Promise<Reply[]> {
    const { t } = c.sp;
    const key = typedKey(typed);
    if (!key) return [info(c.sp, t.emptyText)];
    const named = typedCommand(key);
    if (named) return onCommand(c, named);
    const awaiting = c.s.awaiting;
    if (awaiting?.kind === "reason") {
      c.s.awaiting = null;
      assistant.feedback(c.r, awaiting.messageId, "down", typed);
      return [info(c.sp, t.reasonThanks)];
    }
    if (awaiting?.kind === "staff") {
      c.s.awaiting = null;
      c.s.afterConsent = null;
      return toStaff(c, { text: typed });
    }
    const n = typedNumber(key);
    const offered = c.s.offered;
    if (n !== null && offered?.length) {
      const id = offered[n - 1];
      if (!id) {
        c.keepOffered = true;
        return [{ text: t.noSuchChoice(n, offered.length) }];
      }
      c.typed = true;
      return choice(c, id);
    }
    // A running guided flow takes the input (it matches numbers and labels itself).
    const step = assistant.continueFlow(c.r, typed);
    if (step) return [flowReply(c.sp, step)];
    if (n !== null) return [info(c.sp, t.unknownNumber(n))];
    c.s.afterConsent = null;
    return ask(c, typed);
  }

  /** A command: what was pending (a reason, a staff question, a consent for staff) is dropped. */
  function onCommand(c: Ctx, name: CommandName): Promise<Reply[]> | Reply[] {
    const pending = c.s.awaiting !== null;
    c.s.awaiting = null;
    c.s.afterConsent = null;
    return command(c, name, pending);
  }

  function follow(c: Ctx): Reply[] {
    if ((userOf(c.r)?.consent ?? null) !== null) return [info(c.sp, c.sp.t.welcomeBack)];
    welcomed(c);
    return [noticeReply(c.sp, notice(c), true)];
  }

  return {
    handle(c: Ctx, event: DialogueEvent): Promise<Reply[]> | Reply[] {
      switch (event.kind) {
        case "text":
          return text(c, event.text);
        case "choice":
          return choice(c, event.id);
        case "command":
          return onCommand(c, event.name);
        case "media":
          return [info(c.sp, c.sp.t.media)];
        case "follow":
          return follow(c);
        case "unfollow":
          return [];
      }
    },
    menuReply,
  };
}

const COMMAND_NAMES: readonly string[] = ["start", "menu", "help", "commune", "privacy", "mydata", "delete", "cancel", "staff"] satisfies CommandName[];
const isCommand = (name: string): name is CommandName => COMMAND_NAMES.includes(name);
