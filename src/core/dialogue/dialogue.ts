/**
 * One resident dialogue for every channel (Telegram, Zalo, the web page): consent, commune
 * choice, the menu, guided flows, answers with their three outcomes (an answer, "Có phải bà con
 * muốn hỏi…?", a hand-off to staff), feedback with a reason, questions for staff, seeing and
 * deleting one's data, help, small talk, media, and the too-fast notice — as replies with choices
 * (data). Channels turn what residents do into events and render the replies; the state between
 * events is kept per resident in the store, one state machine for all channels.
 *
 * Pure: no I/O of its own; the store, the assistant and the knowledge are ports. The knowledge
 * (communes, flows) is read through a getter on every event, so a re-index shows at once.
 */
import type { Assistant, Resident } from "../assistant.js";
import type { Flow } from "../flows/types.js";
import type { CommuneDirectory } from "../knowledge/communes.js";
import { createRateLimiter } from "../rate-limit.js";
import type { Channel, Store } from "../store.js";
import { INITIAL_STATE, parseState } from "./state.js";
import { handleEvent } from "./events.js";
import { menuChoices, type Ctx, type StepDeps } from "./steps.js";
import { DIALOGUE_TEXTS, MENU, type DialogueTexts } from "./texts.js";
import type { Choice, DialogueEvent, DialogueState, HandleOptions, MenuEntry, Outcome, Reply } from "./types.js";
import { consentChoices, type Speaker } from "./views.js";

/** What the dialogue reads from the knowledge, per event. */
export interface DialogueKnowledge {
  readonly communes: CommuneDirectory;
  readonly flows: readonly Flow[];
}

export interface DialogueOptions {
  readonly assistant: Assistant;
  readonly store: Store;
  /** The current communes and guided flows (read on every event: a re-index shows at once). */
  readonly knowledge: () => DialogueKnowledge;
  /** Days after which question text is deleted (RETENTION_DAYS), for the notice. */
  readonly retentionDays: number;
  /** Who answers for the data (CONTROLLER_NAME), for the notice. */
  readonly controller: string;
  /** Channels that may only answer within a free window after the resident's last message (Zalo: 48 h). */
  readonly replyWindowHours?: Partial<Record<Channel, number>>;
  /** Everything the dialogue says (default DIALOGUE_TEXTS). */
  readonly texts?: DialogueTexts;
  /** The menu (default MENU). */
  readonly menu?: readonly MenuEntry[];
  /**
   * Messages and taps allowed per resident per time frame (default 8 per 10 s). Over it, the
   * resident is told once (`admit`).
   */
  readonly rateLimit?: { readonly timeFrameMs: number; readonly limit: number };
  /** Epoch ms (default Date.now): the free reply window and the rate limit run on it. */
  readonly clock?: () => number;
}

/** Whether to handle an event now; when not, what to tell the resident (null: nothing, already told). */
export type Admission = { readonly ok: true } | { readonly ok: false; readonly notice: string | null };

export interface Dialogue {
  /** What to answer to one event. Reads and writes the resident's state. */
  handle(resident: Resident, event: DialogueEvent, options?: HandleOptions): Promise<Outcome>;
  /** Counts one message ("message") or button tap ("tap") against the resident's rate limit. */
  admit(resident: Resident, what: "message" | "tap"): Admission;
  /** The resident's stored state (undefined before their first event and after a deletion). */
  state(resident: Resident): DialogueState | undefined;
  /**
   * A reply marked private (the notice, from `start` or `privacy` in a shared conversation)
   * reached the resident privately: they have now seen the notice.
   */
  noticeShown(resident: Resident): void;
  /** The menu as choices on a channel (for a page that shows it by itself). */
  menu(channel: Channel): readonly Choice[];
  /** The communes residents choose from (current knowledge). */
  communes(): ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** The privacy notice, the consent question and its choices on a channel. */
  consent(channel: Channel): { readonly notice: string; readonly question: string; readonly choices: readonly Choice[] };
  /** A plain reply (an apology after a failure, the too-fast notice). */
  say(text: string): Reply;
  readonly texts: DialogueTexts;
}

export function createDialogue(o: DialogueOptions): Dialogue {
  const { store } = o;
  const texts = o.texts ?? DIALOGUE_TEXTS;
  const menu = o.menu ?? MENU;
  const now = o.clock ?? Date.now;
  const rl = o.rateLimit ?? { timeFrameMs: 10_000, limit: 8 };
  const limiter = createRateLimiter({ limit: rl.limit, windowMs: rl.timeFrameMs, now });
  const userKey = (r: Resident) => store.userKey(r.channel, r.channelUserId);
  const stateKey = (r: Resident) => `${userKey(r)}:${r.channel}`;
  const speaker = (channel: Channel): Speaker => ({ t: texts, v: texts.voices[channel] });
  const deps: StepDeps = {
    assistant: o.assistant,
    store,
    knowledge: o.knowledge,
    menu,
    retentionDays: o.retentionDays,
    controller: o.controller,
    windowHours: (r) => o.replyWindowHours?.[r.channel] ?? null,
  };

  const state = (r: Resident) => parseState(store.getState(stateKey(r)));

  /** Whether there is anything to keep for someone the store does not know yet (help, one's data: nothing). */
  const worthKeeping = (s: DialogueState) => s.offered !== null || s.awaiting !== null || s.afterConsent !== null || s.welcomed || s.suggestions.length > 0;

  /**
   * The primary choices of the last reply offering any: what typed numbers pick next. Private
   * replies in a shared conversation are sent elsewhere: their choices are not offered here.
   */
  function offered(replies: readonly Reply[], previous: DialogueState["offered"], shared: boolean): DialogueState["offered"] {
    if (replies.length === 0) return previous;
    const last = [...replies].reverse().find((r) => r.choices?.length && !(shared && r.private));
    const ids = last?.choices?.filter((c) => !c.secondary).map((c) => c.id) ?? [];
    return ids.length ? ids : null;
  }

  return {
    async handle(resident, event, options = {}) {
      if (event.kind === "unfollow") return { replies: [] };
      const before = state(resident) ?? INITIAL_STATE;
      const c: Ctx = { d: deps, r: resident, sp: speaker(resident.channel), o: options, before, s: { ...before, lastInboundAt: now() }, typed: false, deleted: false };
      const replies = await handleEvent(c, event);
      if (!c.keepOffered) c.s.offered = offered(replies, c.s.offered, options.shared === true);
      // Never written back after a deletion. Keeping choices makes the resident known to the store.
      if (!c.deleted && (store.getUser(userKey(resident)) || worthKeeping(c.s))) {
        o.assistant.user(resident);
        store.setState(stateKey(resident), c.s);
      }
      return { replies, ...(c.ack ? { ack: c.ack } : {}), ...(c.spent ? { spent: true } : {}) };
    },

    admit(resident, what) {
      const verdict = limiter.admit(userKey(resident));
      if (verdict === "ok") return { ok: true };
      return { ok: false, notice: what === "tap" ? texts.tooFastTap : verdict === "warn" ? texts.tooFast : null };
    },

    state,

    noticeShown(resident) {
      o.assistant.user(resident);
      store.setState(stateKey(resident), { ...(state(resident) ?? INITIAL_STATE), welcomed: true });
    },

    menu: (channel) => menuChoices(menu, channel, o.knowledge().flows),

    communes: () => o.knowledge().communes.all.map((c) => ({ id: c.id, name: c.name })),

    consent(channel) {
      const v = texts.voices[channel];
      const notice = texts.notice({ retentionDays: o.retentionDays, controller: o.controller, deleteHow: v.deleteHow, viewHow: v.viewHow });
      return { notice, question: texts.consentQuestion, choices: consentChoices(speaker(channel)) };
    },

    say: (text) => ({ text }),
    texts,
  };
}
