/**
 * The resident dialogue's data: what a channel hands in (an event), what it gets back (replies
 * with choices, as data), and what is kept per resident between events. Channels only render
 * replies (Telegram buttons, Zalo numbered lines, web JSON) and turn what residents do back into
 * events; every decision is the dialogue's (core/dialogue/dialogue.ts).
 */
import type { AnswerKind, SourceRef } from "../answering/answer-question.js";
import type { Channel } from "../store.js";

export type { Resident } from "../channel.js";

/** Commands residents give by name (Telegram `/xoadulieu`, a web button); typed words map to them too. */
export type CommandName = "start" | "menu" | "help" | "commune" | "privacy" | "mydata" | "delete" | "cancel" | "staff";

/** What a resident did, as the dialogue sees it. */
export type DialogueEvent =
  | { readonly kind: "text"; readonly text: string }
  /** A choice offered by an earlier reply: its stable id (Telegram callback data, a web button). */
  | { readonly kind: "choice"; readonly id: string }
  | { readonly kind: "command"; readonly name: CommandName }
  /** An image, sticker, file, location… anything but text. */
  | { readonly kind: "media" }
  /** The resident opened the conversation (Zalo follow, the web page opened) or left it. */
  | { readonly kind: "follow" | "unfollow" };

/** How one event is handled, beyond the event itself. */
export interface HandleOptions {
  /**
   * The event comes from a conversation others read (a Telegram group): nothing private is
   * offered unasked there, and what is private is marked so (Reply.private).
   */
  readonly shared?: boolean;
  /** The commune the channel's page has selected (web), used when the question names none. */
  readonly commune?: string | null;
  /** Called once when the dialogue starts working out an answer (a channel shows "typing…"). */
  readonly typing?: () => unknown;
}

/** A choice offered with a reply. */
export interface Choice {
  /** Stable id sent back as a `choice` event ("fb:up:12", "menu:skills", "consent:yes"). */
  readonly id: string;
  /** What the resident sees. */
  readonly label: string;
  /** A shorter label for small buttons (Telegram); `label` otherwise. */
  readonly short?: string;
  /**
   * An extra for channels with buttons: text channels leave it out of the numbered choices (the
   * reply's footer names another way). Typed numbers count primary choices only.
   */
  readonly secondary?: boolean;
  /** Layout hint: on the same row as the previous choice. */
  readonly sameRow?: boolean;
}

/** One message to the resident, as data; channels format and split it. */
export interface Reply {
  /** Plain text (no markup). */
  readonly text: string;
  /** Knowledge cited by the text ([n] markers refer to sources[n-1]). */
  readonly sources?: readonly SourceRef[];
  readonly choices?: readonly Choice[];
  /** Text channels list the primary choices as numbered lines ("1. …") after the text. */
  readonly list?: boolean;
  /** An aside after the sources (italic where the channel can). */
  readonly note?: string;
  /** The closing line after the sources: what to type next, on channels where residents type numbers. */
  readonly footer?: string;
  /** Parts of `text` to emphasise where the channel can (bold). */
  readonly bold?: readonly string[];
  /**
   * Only for a one-to-one conversation (a channel in a shared one sends it privately): "notice",
   * the privacy notice and the consent question; "data", what is stored about the resident.
   */
  readonly private?: "notice" | "data";
  /** For answers to questions: how the answer was produced. */
  readonly answerKind?: AnswerKind;
  /** A staff member's answer to the resident's question, as they wrote it. */
  readonly fromStaff?: true;
}

/** The dialogue's answer to one event. */
export interface Outcome {
  readonly replies: readonly Reply[];
  /** A short acknowledgement of a choice, shown on the button where the channel can (Telegram). */
  readonly ack?: string;
  /** The choices of the message the choice came from are used up (Telegram removes its buttons). */
  readonly spent?: boolean;
}

/** What typed free text means next. */
export type Awaiting = { readonly kind: "reason"; readonly messageId: number } | { readonly kind: "staff" };

/** What is kept per resident between events (the store's state, `<user key>:<channel>`). */
export interface DialogueState {
  readonly awaiting: Awaiting | null;
  /** Ids of the primary choices of the last reply that offered any: a typed number n picks the n-th. */
  readonly offered: readonly string[] | null;
  /** The questions behind `sug:<n>` ("Có phải bà con muốn hỏi…?"; curated headings, not the resident's text). */
  readonly suggestions: readonly string[];
  /** What to do once the resident agrees to storage (they asked for staff first). */
  readonly afterConsent: "staff" | null;
  /** The privacy notice and the consent question were shown. */
  readonly welcomed: boolean;
  /** Epoch ms of the resident's last event: a channel's free reply window runs from here (Zalo). */
  readonly lastInboundAt: number | null;
}

/** What a menu entry does. */
export type MenuAction =
  | { readonly kind: "skills" }
  | { readonly kind: "flow"; readonly flow: string }
  | { readonly kind: "ask"; readonly question: string }
  | { readonly kind: "staff" }
  | { readonly kind: "commune" }
  | { readonly kind: "privacy" }
  | { readonly kind: "help" };

/** One menu entry, as data: adding an entry here shows it on every channel it is for. */
export interface MenuEntry {
  /** Stable id: the entry's choice id is `menu:<id>`. */
  readonly id: string;
  /** Shown in numbered lists and on the web; a flow entry without one shows the flow's title. */
  readonly label?: string;
  /** Shorter label for buttons (Telegram). */
  readonly short?: string;
  readonly action: MenuAction;
  /** Only on these channels (default: every channel). */
  readonly channels?: readonly Channel[];
}
