/**
 * The conversation service every messaging channel shares (Telegram, Zalo, web): it answers with
 * the engine, keeps a short per-user context for follow-ups, records messages within the
 * resident's consent, queues questions for staff, runs guided flows, and hands staff answers to
 * the channel the question came from as jobs in the durable job queue (core/dialogue/delivery.ts).
 * The conversation itself (menus, consent, replies) is the dialogue's (core/dialogue).
 */
import type { AnswerRequest, AnswerResult } from "./answering/answer-question.js";
import type { Analyzer } from "./text/analyze.js";
import type { CommuneDirectory } from "./knowledge/communes.js";
import { staffAnswerJobInput } from "./dialogue/delivery.js";
import { DIALOGUE_TEXTS } from "./dialogue/texts.js";
import { AppError } from "./errors.js";
import { parseFlowState, runFlowStep } from "./flows/index.js";
import type { Flow, FlowReply, FlowState } from "./flows/types.js";
import { MY_DATA_LIMITS, myDataOf, type MyData } from "./my-data.js";
import { NOTICE_VERSION } from "./privacy/notice.js";
import type { Channel, QueueItem, Rating, RemovalCounts, Store, UserRecord } from "./store.js";

/** What the assistant needs from the engine. */
export interface AnswerEngine {
  answer(request: AnswerRequest): Promise<AnswerResult>;
  readonly knowledge: { readonly analyzer: Analyzer; readonly communes: CommuneDirectory };
}

/** A channel whose worker delivers staff answers, and how long `answerQueued` waits for the outcome. */
export interface DeliveryChannel {
  /** Milliseconds to wait for the worker's outcome (default 10 s; 0: do not wait, e.g. the web page collects it later). */
  readonly waitMs?: number;
}

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
  /**
   * The channels that run a staff-answer worker (read from the job queue). An answer to a question
   * from any other channel is recorded as not delivered.
   */
  readonly delivery?: Partial<Record<Channel, DeliveryChannel>>;
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
}

/** Where a resident stands: who they are to the store and what they agreed to. */
export interface Resident {
  readonly channel: Channel;
  /** The channel's own user id (Telegram user id, Zalo user id). Never stored raw. */
  readonly channelUserId: string;
}

interface Context {
  readonly question: string;
  /** Commune the resident named (not the default), if any. */
  readonly commune: string | null;
  readonly at: number;
}

export type StaffRequestOutcome = { readonly ok: true; readonly item: QueueItem } | { readonly ok: false; readonly reason: "consent_required" | "nothing_to_send" };

const CONTEXT_TTL_MS = 30 * 60 * 1000;

export { MY_DATA_LIMITS, type MyData } from "./my-data.js";

export interface Assistant {
  user(resident: Resident): UserRecord;
  setConsent(resident: Resident, granted: boolean): UserRecord;
  setCommune(resident: Resident, commune: string | null): void;
  /**
   * Answers a question; `deliveryAddress` is the raw chat id, kept only if the question is queued;
   * `commune` is the channel's selection, used when neither the question nor the conversation names one.
   */
  ask(resident: Resident, text: string, options?: { deliveryAddress?: string; commune?: string | null }): Promise<Turn>;
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

  /**
   * Records a staff answer (the stored copy masked, like everything stored) and writes a delivery
   * job with the staff member's own words, as written, for the channel the question came from;
   * waits (bounded) for that channel's worker to report whether it reached the resident.
   */
  answerQueued(id: number, answer: string, staff: string): Promise<{ item: QueueItem; delivered: boolean }>;
  /**
   * Writes delivery jobs again for staff answers to this resident that could not be delivered
   * (e.g. Zalo's free reply window had closed): channels call it when the resident writes again.
   * A delivery of the same answer still waiting goes first; the later one then finds the answer
   * delivered and sends nothing. Returns how many jobs were written.
   */
  deliverPending(resident: Resident): Promise<number>;
}

/**
 * The message a resident receives with a staff answer: `answer` as the staff member wrote it
 * (a phone number they give stays readable), else the stored, masked copy.
 */
export function staffAnswerText(item: QueueItem, answer: string | null = item.staffAnswer): string {
  return DIALOGUE_TEXTS.staffAnswer(item.question, answer ?? "");
}

/** How long `answerQueued` waits for a channel worker's outcome by default (ms). */
export const DELIVERY_WAIT_MS = 10_000;
const DELIVERY_POLL_MS = 20;

export function createAssistant(deps: AssistantDeps): Assistant {
  const { store, engine } = deps;
  const now = deps.clock ?? Date.now;
  const ttl = deps.contextTtlMs ?? CONTEXT_TTL_MS;
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

  /**
   * Whether the delivery of queue item `id` succeeded, once its worker reported it, or false after
   * `waitMs` (recorded, so the console lists it as not delivered until the worker succeeds).
   */
  async function outcome(id: number, waitMs: number): Promise<boolean> {
    const until = performance.now() + waitMs;
    for (;;) {
      // Read and mark in one turn: a worker in this process cannot report in between.
      const item = store.getQueueItem(id);
      if (!item) return false;
      if (item.delivered !== null) return item.delivered;
      if (performance.now() >= until) {
        store.markDelivered(id, false);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, DELIVERY_POLL_MS));
    }
  }

  function liveContext(key: string): Context | undefined {
    const context = contexts.get(key);
    if (context && now() - context.at > ttl) contexts.delete(key);
    return context && now() - context.at <= ttl ? context : undefined;
  }

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
      const context = liveContext(user.key);
      const followUp = (await rewriteFollowUp(text, context)) ?? expandFollowUp(text, context);
      const question = followUp?.question ?? text;
      // The commune: named in this question, else named in the last turns, else the user's choice.
      // (A commune passed to the engine overrides the question's, so the question's is looked up here.)
      const { analyzer, communes } = knowledge();
      const namedNow = communes.detect(analyzer.routingWords(question).map((w) => w.f))?.commune.id ?? null;
      const commune = followUp?.commune ?? namedNow ?? context?.commune ?? options.commune ?? user.commune;
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
      if (result.kind !== "refusal" && result.kind !== "smalltalk") remember(user.key, { question, commune: namedCommune, at: now() });

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
      return { result, messageId: message.id, queued, effectiveQuestion: question };
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
      // Delivery jobs still waiting find their queue item gone and send nothing.
      return store.deleteUser(key);
    },

    myData: (r, limits = {}) => myDataOf(store, knowledge().communes, keyOf(r), { ...MY_DATA_LIMITS, ...limits }),

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

    async answerQueued(id, answer, staff) {
      const item = store.answerQueueItem(id, answer, staff);
      const channel = deps.delivery?.[item.channel];
      if (!channel || !item.deliveryAddress) {
        store.markDelivered(id, false);
        return { item: store.getQueueItem(id) ?? item, delivered: false };
      }
      const job = { queueId: id, address: item.deliveryAddress, text: staffAnswerText(item, answer) };
      store.jobs.enqueue(staffAnswerJobInput(item.channel, job, `answer-${Date.now()}`));
      const delivered = await outcome(id, channel.waitMs ?? DELIVERY_WAIT_MS);
      return { item: store.getQueueItem(id) ?? item, delivered };
    },

    async deliverPending(r) {
      const pending = store.listQueue({ status: "answered", userKey: keyOf(r) }).filter((i) => i.delivered === false && i.deliveryAddress && deps.delivery?.[i.channel]);
      let written = 0;
      for (const item of pending) {
        const job = { queueId: item.id, address: item.deliveryAddress as string, text: staffAnswerText(item) };
        if (store.jobs.enqueue(staffAnswerJobInput(item.channel, job, `again-${Date.now()}`))) written++;
      }
      return written;
    },
  };
  return assistant;
}
