/**
 * The conversation service every messaging channel shares (Telegram, Zalo, web): it answers with
 * the engine, keeps a short per-user context for follow-ups, records messages within the
 * resident's consent, queues questions for staff, runs guided flows and delivers staff answers
 * back through the channel the question came from. Channels only translate to and from their API.
 */
import type { AnswerRequest, AnswerResult } from "./answering/answer-question.js";
import type { Analyzer } from "./text/analyze.js";
import type { CommuneDirectory } from "./knowledge/communes.js";
import { AppError } from "./errors.js";
import { parseFlowState, runFlowStep } from "./flows/index.js";
import type { Flow, FlowReply, FlowState } from "./flows/types.js";
import { NOTICE_VERSION } from "./privacy/version.js";
import type { Channel, QueueItem, Rating, RemovalCounts, Store, UserRecord } from "./store.js";

/** What the assistant needs from the engine. */
export interface AnswerEngine {
  answer(request: AnswerRequest): Promise<AnswerResult>;
  readonly knowledge: { readonly analyzer: Analyzer; readonly communes: CommuneDirectory };
}

/** Sends a staff answer to a resident on one channel; resolves false when it could not be delivered. */
export type Deliverer = (address: string, text: string) => Promise<boolean>;

export interface AssistantDeps {
  readonly engine: AnswerEngine;
  readonly store: Store;
  /** The guided flows, or a getter for them (they are rebuilt when the knowledge is re-indexed). */
  readonly flows: readonly Flow[] | (() => readonly Flow[]);
  readonly clock?: () => number;
  /** How long the last question and commune count as context for a follow-up (default 30 minutes). */
  readonly contextTtlMs?: number;
  /**
   * With a language model: rewrites a follow-up into a standalone question from the resident's
   * previous question (in memory only). Null or a throw means "no rewrite": the deterministic
   * expansion applies, as it does when this is absent (LLM_PROVIDER=none).
   */
  readonly rewrite?: (history: readonly string[], question: string) => Promise<string | null>;
}

/** One answered question as channels render it. */
export interface Turn {
  readonly result: AnswerResult;
  /** Id of the stored message (for feedback and "Hỏi cán bộ xã" buttons). */
  readonly messageId: number;
  /** Set when an unanswered question was queued for staff (only with consent). */
  readonly queued: QueueItem | null;
  /** The question actually answered (a follow-up is expanded with the previous question). */
  readonly effectiveQuestion: string;
  /** What a follow-up to this turn refers to, for channels that keep it themselves (the web page). */
  readonly context: FollowUpContext | null;
}

/** Where a resident stands: who they are to the store and what they agreed to. */
export interface Resident {
  readonly channel: Channel;
  /** The channel's own user id (Telegram user id, Zalo user id). Never stored raw. */
  readonly channelUserId: string;
}

/** The last question and commune a follow-up refers to. */
export interface FollowUpContext {
  readonly question: string;
  /** Commune the resident named (not the default), if any. */
  readonly commune: string | null;
  /** Epoch ms of the turn: the context expires after `contextTtlMs`. */
  readonly at: number;
}
type Context = FollowUpContext;

export type StaffRequestOutcome = { readonly ok: true; readonly item: QueueItem } | { readonly ok: false; readonly reason: "consent_required" | "nothing_to_send" };

const CONTEXT_TTL_MS = 30 * 60 * 1000;

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

export interface Assistant {
  user(resident: Resident): UserRecord;
  setConsent(resident: Resident, granted: boolean): UserRecord;
  setCommune(resident: Resident, commune: string | null): void;
  /**
   * Answers a question; `deliveryAddress` is the raw chat id, kept only if the question is queued.
   * `context`: the previous turn as a channel kept it itself (the web page keeps `Turn.context` in
   * the browser); when given, it is used instead of the one the assistant remembers.
   */
  ask(resident: Resident, text: string, options?: { deliveryAddress?: string; context?: FollowUpContext | null }): Promise<Turn>;
  /** "Hỏi cán bộ xã": queues a stored message's question (or `text`) for staff. */
  requestStaff(resident: Resident, input: { messageId?: number; text?: string; deliveryAddress?: string }): StaffRequestOutcome;
  feedback(resident: Resident, messageId: number, rating: Rating, reason?: string | null): boolean;
  /** Deletes everything stored about the resident. */
  forget(resident: Resident): RemovalCounts;
  /** What is stored about the resident (creates nothing). */
  myData(resident: Resident, limits?: Partial<typeof MY_DATA_LIMITS>): MyData;

  startFlow(resident: Resident, flowId: string): FlowReply;
  /** The resident's answer to the current flow step; null when no flow is running. */
  continueFlow(resident: Resident, input: string): FlowReply | null;
  activeFlow(resident: Resident): FlowState | null;
  cancelFlow(resident: Resident): boolean;

  /** Registers how a channel delivers staff answers. */
  registerDeliverer(channel: Channel, deliver: Deliverer): void;
  /**
   * Records a staff answer (the stored copy masked, like everything stored) and delivers the
   * staff member's own words, as written, once, to the resident through their channel.
   */
  answerQueued(id: number, answer: string, staff: string): Promise<{ item: QueueItem; delivered: boolean }>;
  /**
   * Retries staff answers to this resident that could not be delivered before (e.g. Zalo's free
   * reply window had closed); channels call it when the resident writes again. Returns how many
   * were delivered now.
   */
  deliverPending(resident: Resident): Promise<number>;
}

/**
 * The message a resident receives with a staff answer: `answer` as the staff member wrote it
 * (a phone number they give stays readable), else the stored, masked copy.
 */
export function staffAnswerText(item: QueueItem, answer: string | null = item.staffAnswer): string {
  return `Cán bộ xã trả lời câu hỏi của bà con:\n«${item.question}»\n\n${answer ?? ""}`;
}

/** Staff answers kept as written, in memory, until delivered (bounded; the oldest go first). */
const MAX_UNSENT = 1000;

export function createAssistant(deps: AssistantDeps): Assistant {
  const { store, engine } = deps;
  const now = deps.clock ?? Date.now;
  const ttl = deps.contextTtlMs ?? CONTEXT_TTL_MS;
  const deliverers = new Map<Channel, Deliverer>();
  // A staff answer that could not be sent yet, as written, by queue item id: only in memory, so
  // the database never holds the unmasked words. After a restart the masked copy is sent.
  const unsent = new Map<number, string>();
  const flows = typeof deps.flows === "function" ? deps.flows : () => deps.flows as readonly Flow[];
  // Read at call time: the engine's knowledge is replaced by a re-index.
  const knowledge = () => engine.knowledge;

  const keyOf = (r: Resident) => store.userKey(r.channel, r.channelUserId);
  // The last question per resident, for follow-ups. Kept in memory only (never written to the
  // database): it is question text, which may be stored only with consent, and it is useful for
  // CONTEXT_TTL_MS at most. Bounded: the oldest entries go first.
  const contexts = new Map<string, Context>();
  const MAX_CONTEXTS = 10_000;
  const remember = (key: string, context: Context) => {
    contexts.delete(key);
    contexts.set(key, context);
    if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
  };
  const flowKey = (key: string) => `${key}:flow`;

  /**
   * "còn xã Phú Tân thì sao?": a question that names a commune and asks nothing else is the
   * previous question, for that commune.
   */
  function expandFollowUp(text: string, context: Context | undefined): { question: string; commune: string | null } | null {
    if (!context) return null;
    const { analyzer, communes } = knowledge();
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
  async function rewriteFollowUp(text: string, context: Context | undefined): Promise<{ question: string; commune: string | null } | null> {
    if (!deps.rewrite || !context) return null;
    const { analyzer, communes } = knowledge();
    const words = analyzer.routingWords(text);
    if (analyzer.lexicon.matchRefusal(words)) return null;
    let rewritten: string | null;
    try {
      rewritten = (await deps.rewrite([context.question], text))?.trim() || null;
    } catch {
      rewritten = null;
    }
    if (!rewritten) return null;
    const named = communes.detect(words.map((w) => w.f)) ?? communes.detect(analyzer.routingWords(rewritten).map((w) => w.f));
    return { question: rewritten, commune: named?.commune.id ?? null };
  }

  /** The stored flow state, validated (a value written by an older version is dropped). */
  function storedFlow(key: string): FlowState | null {
    const raw = store.getState<unknown>(flowKey(key));
    if (raw === undefined) return null;
    const state = parseFlowState(raw);
    if (!state) store.deleteState(flowKey(key));
    return state;
  }

  function liveContext(key: string): Context | undefined {
    const context = contexts.get(key);
    if (context && now() - context.at > ttl) contexts.delete(key);
    return context && now() - context.at <= ttl ? context : undefined;
  }

  /** A context a channel kept, if it has not expired. */
  const fresh = (context: Context | null): Context | undefined => (context && context.at <= now() && now() - context.at <= ttl ? context : undefined);

  const assistant: Assistant = {
    user: (r) => store.ensureUser(r.channel, r.channelUserId),

    setConsent(r, granted) {
      const user = store.ensureUser(r.channel, r.channelUserId);
      return store.setConsent(user.key, granted, NOTICE_VERSION);
    },

    setCommune(r, commune) {
      if (commune !== null && !knowledge().communes.get(commune)) throw new AppError("COMMUNE_UNKNOWN", commune);
      const user = store.ensureUser(r.channel, r.channelUserId);
      store.setCommune(user.key, commune);
    },

    async ask(r, text, options = {}) {
      const started = performance.now();
      const user = store.ensureUser(r.channel, r.channelUserId);
      const context = options.context !== undefined ? fresh(options.context) : liveContext(user.key);
      const followUp = (await rewriteFollowUp(text, context)) ?? expandFollowUp(text, context);
      const question = followUp?.question ?? text;
      // The commune: named in this question, else named in the last turns, else the user's choice.
      // (A commune passed to the engine overrides the question's, so the question's is looked up here.)
      const { analyzer, communes } = knowledge();
      const namedNow = communes.detect(analyzer.routingWords(question).map((w) => w.f))?.commune.id ?? null;
      const commune = followUp?.commune ?? namedNow ?? context?.commune ?? user.commune;
      const result = await engine.answer({ question, commune });
      const latencyMs = Math.round(performance.now() - started);
      const message = store.recordMessage({
        userKey: user.key,
        channel: r.channel,
        question: text,
        kind: result.kind,
        confidence: result.confidence,
        commune: result.commune,
        sources: result.sources.map((s) => s.id),
        latencyMs,
      });
      const namedCommune = followUp?.commune ?? namedNow ?? (result.diagnostics.communeFrom === "question" ? result.commune : (context?.commune ?? null));
      let next = context ?? null;
      if (result.kind !== "refusal" && result.kind !== "smalltalk") {
        next = { question, commune: namedCommune, at: now() };
        remember(user.key, next);
      }

      let queued: QueueItem | null = null;
      if (result.kind === "handoff" && user.consent?.granted) {
        queued = store.enqueue({
          userKey: user.key,
          channel: r.channel,
          question: text,
          reason: "unanswered",
          messageId: message.id,
          commune: result.commune ?? commune,
          deliveryAddress: options.deliveryAddress ?? null,
        });
      }
      return { result, messageId: message.id, queued, effectiveQuestion: question, context: next };
    },

    requestStaff(r, input) {
      const user = store.ensureUser(r.channel, r.channelUserId);
      if (!user.consent?.granted) return { ok: false, reason: "consent_required" };
      const message = input.messageId !== undefined ? store.getMessage(input.messageId) : undefined;
      const question = input.text ?? (message && message.userKey === user.key ? message.question : null);
      if (!question || !question.trim()) return { ok: false, reason: "nothing_to_send" };
      const item = store.enqueue({
        userKey: user.key,
        channel: r.channel,
        question,
        reason: "requested",
        messageId: message?.id ?? null,
        commune: message?.commune ?? user.commune,
        deliveryAddress: input.deliveryAddress ?? null,
      });
      return { ok: true, item };
    },

    feedback(r, messageId, rating, reason = null) {
      const key = keyOf(r);
      const message = store.getMessage(messageId);
      if (!message || message.userKey !== key) return false;
      // A typed reason is free text like a question: kept only with consent.
      const consented = store.getUser(key)?.consent?.granted === true;
      store.recordFeedback({ messageId, userKey: key, rating, reason: consented ? reason : null });
      return true;
    },

    forget(r) {
      const key = keyOf(r);
      contexts.delete(key);
      for (const item of store.listQueue({ userKey: key })) unsent.delete(item.id);
      return store.deleteUser(key);
    },

    myData(r, limits = {}) {
      const cap = { ...MY_DATA_LIMITS, ...limits };
      const data = store.exportUser(keyOf(r));
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
        commune: communeId ? { id: communeId, name: knowledge().communes.get(communeId)?.name ?? communeId } : null,
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
    },

    startFlow(r, flowId) {
      const flow = flows().find((f) => f.id === flowId);
      if (!flow) throw new Error(`unknown flow ${flowId}`);
      const user = store.ensureUser(r.channel, r.channelUserId);
      const { state, reply } = flow.start(now());
      if (state) store.setState(flowKey(user.key), state);
      else store.deleteState(flowKey(user.key));
      return reply;
    },

    continueFlow(r, input) {
      const key = keyOf(r);
      const state = storedFlow(key);
      if (!state) return null;
      const { state: next, reply } = runFlowStep(flows(), state, input, now());
      if (next) store.setState(flowKey(key), next);
      else store.deleteState(flowKey(key));
      return reply;
    },

    activeFlow: (r) => storedFlow(keyOf(r)),

    cancelFlow(r) {
      const key = keyOf(r);
      const had = storedFlow(key) !== null;
      store.deleteState(flowKey(key));
      return had;
    },

    registerDeliverer(channel, deliver) {
      deliverers.set(channel, deliver);
    },

    async answerQueued(id, answer, staff) {
      const item = store.answerQueueItem(id, answer, staff);
      const deliver = deliverers.get(item.channel);
      let delivered = false;
      if (deliver && item.deliveryAddress) {
        try {
          delivered = await deliver(item.deliveryAddress, staffAnswerText(item, answer));
        } catch {
          delivered = false;
        }
      }
      if (!delivered && item.deliveryAddress) {
        unsent.set(id, answer);
        if (unsent.size > MAX_UNSENT) unsent.delete(unsent.keys().next().value as number);
      }
      store.markDelivered(id, delivered);
      return { item: store.getQueueItem(id) ?? item, delivered };
    },

    async deliverPending(r) {
      const deliver = deliverers.get(r.channel);
      if (!deliver) return 0;
      const pending = store.listQueue({ status: "answered", userKey: keyOf(r) }).filter((i) => i.delivered === false && i.deliveryAddress);
      let count = 0;
      for (const item of pending) {
        let ok = false;
        try {
          ok = await deliver(item.deliveryAddress as string, staffAnswerText(item, unsent.get(item.id) ?? item.staffAnswer));
        } catch {
          ok = false;
        }
        if (ok) {
          store.markDelivered(item.id, true);
          unsent.delete(item.id);
          count++;
        }
      }
      return count;
    },
  };
  return assistant;
}
