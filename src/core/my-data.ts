/**
 * What is stored about a resident, for them to see (the dialogue's "see my data"): read from the
 * store's export of their rows, texts as stored (masked), lists most recent first and capped.
 */
import type { CommuneDirectory } from "./knowledge/communes.js";
import type { QueueItem, Store } from "./store.js";

/**
 * What is stored about a resident, for them to see (/xemdulieu on Telegram, "xem du lieu" on
 * Zalo). Texts are as stored (masked); lists are most recent first and capped, with totals.
 */
export interface MyData {
  /** False when nothing at all is stored about the resident. */
  readonly known: boolean;
  /** ISO time of the first contact. */
  readonly since: string | null;
  /** The current choice about storing question text (null: not answered yet). */
  readonly consent: { readonly granted: boolean; readonly at: string; readonly noticeVersion: string } | null;
  /** How many times the resident answered the privacy notice. */
  readonly consentChoices: number;
  readonly commune: { readonly id: string; readonly name: string } | null;
  readonly messages: {
    readonly total: number;
    /** Messages whose question text is kept (with consent, within the retention period). */
    readonly withText: number;
    readonly recent: ReadonlyArray<{ readonly at: string; readonly question: string }>;
  };
  readonly feedback: {
    readonly up: number;
    readonly down: number;
    readonly reasons: ReadonlyArray<{ readonly at: string; readonly reason: string }>;
  };
  readonly queue: {
    readonly total: number;
    readonly recent: ReadonlyArray<{
      readonly at: string;
      readonly question: string;
      readonly status: QueueItem["status"];
      readonly answer: string | null;
      readonly answeredAt: string | null;
      readonly delivered: boolean | null;
    }>;
  };
  /** A raw chat id is kept, only until a staff answer has been delivered. */
  readonly chatIdKept: boolean;
  /** A guided flow is in progress (only the choices made are kept). */
  readonly flowInProgress: boolean;
}

/** How many stored questions, reasons and staff questions `myData` lists by default. */
export const MY_DATA_LIMITS = { questions: 10, reasons: 5, queue: 5 } as const;

/** What is stored under the user key `key` (creates nothing). */
export function myDataOf(store: Store, communes: CommuneDirectory, key: string, cap: typeof MY_DATA_LIMITS): MyData {
  const data = store.exportUser(key);
  if (!data) {
    const none = { total: 0, recent: [] };
    return { known: false, since: null, consent: null, consentChoices: 0, commune: null, messages: { ...none, withText: 0 }, feedback: { up: 0, down: 0, reasons: [] }, queue: none, chatIdKept: false, flowInProgress: false };
  }
  const { user } = data;
  const withText = data.messages.filter((m): m is typeof m & { question: string } => m.question !== null);
  const reasons = data.feedback.filter((f): f is typeof f & { reason: string } => f.reason !== null);
  const communeId = user.commune;
  return {
    known: true,
    since: user.createdAt,
    consent: user.consent ? { granted: user.consent.granted, at: user.consent.at, noticeVersion: user.consent.noticeVersion } : null,
    consentChoices: data.consents.length,
    commune: communeId ? { id: communeId, name: communes.get(communeId)?.name ?? communeId } : null,
    messages: { total: data.messages.length, withText: withText.length, recent: withText.slice(0, cap.questions).map((m) => ({ at: m.createdAt, question: m.question })) },
    feedback: {
      up: data.feedback.filter((f) => f.rating === "up").length,
      down: data.feedback.filter((f) => f.rating === "down").length,
      reasons: reasons.slice(0, cap.reasons).map((f) => ({ at: f.createdAt, reason: f.reason })),
    },
    queue: {
      total: data.queue.length,
      recent: data.queue.slice(0, cap.queue).map((q) => ({ at: q.createdAt, question: q.question, status: q.status, answer: q.staffAnswer, answeredAt: q.answeredAt, delivered: q.delivered })),
    },
    chatIdKept: data.queue.some((q) => q.deliveryAddress !== null),
    flowInProgress: data.state.some((s) => s.name === "flow"),
  };
}
