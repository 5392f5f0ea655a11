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
import { createStaffDelivery, type DeliveryChannel } from "./dialogue/delivery.js";
import type { Resident } from "./channel.js";
import { AppError } from "./errors.js";
import { createFollowUps, type LastQuestion } from "./follow-up.js";
import { parseFlowState, runFlowStep } from "./flows/index.js";
import type { Flow, FlowReply, FlowState } from "./flows/types.js";
import { MY_DATA_LIMITS, myDataOf, type MyData } from "./my-data.js";
import { NOTICE_VERSION } from "./privacy/version.js";
import type { Channel, QueueItem, Rating, RemovalCounts, Store, UserRecord } from "./store.js";

/** What the assistant needs from the engine. */
export interface AnswerEngine {
  answer(request: AnswerRequest): Promise<AnswerResult>;
  readonly knowledge: { readonly analyzer: Analyzer; readonly communes: CommuneDirectory };
}

export { DELIVERY_WAIT_MS, staffAnswerText, type DeliveryChannel } from "./dialogue/delivery.js";

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
  /** What the next question may follow up on (the web page keeps it in the browser and sends it back). */
  readonly context: FollowUpContext | null;
}

/** The last question and commune a follow-up refers to. */
export type FollowUpContext = LastQuestion;

export type { Resident } from "./channel.js";

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
  ask(resident: Resident, text: string, options?: { deliveryAddress?: string; commune?: string | null; context?: FollowUpContext | null }): Promise<Turn>;
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

/** Guided-flow progress per resident, kept in the store (`<user key>:flow`). */
function flowProgress(store: Store, flows: () => readonly Flow[], now: () => number) {
  const flowKey = (key: string) => `${key}:flow`;
  /** The stored flow state, validated (a value written by an older version is dropped). */
  function stored(key: string): FlowState | null {
    const raw = store.getState<unknown>(flowKey(key));
    if (raw === undefined) return null;
    const state = parseFlowState(raw);
    if (!state) store.deleteState(flowKey(key));
    return state;
  }
  const save = (key: string, state: FlowState | null) => (state ? store.setState(flowKey(key), state) : store.deleteState(flowKey(key)));
  return {
    stored,
    start(key: string, flowId: string): FlowReply {
      const flow = flows().find((f) => f.id === flowId);
      if (!flow) throw new Error(`unknown flow ${flowId}`);
      const { state, reply } = flow.start(now());
      save(key, state);
      return reply;
    },
    next(key: string, input: string): FlowReply | null {
      const state = stored(key);
      if (!state) return null;
      const { state: next, reply } = runFlowStep(flows(), state, input, now());
      save(key, next);
      return reply;
    },
    cancel(key: string): boolean {
      const had = stored(key) !== null;
      store.deleteState(flowKey(key));
      return had;
    },
  };
}

export function createAssistant(deps: AssistantDeps): Assistant {
  const { store, engine } = deps;
  const now = deps.clock ?? Date.now;
  const flows = typeof deps.flows === "function" ? deps.flows : () => deps.flows as readonly Flow[];
  // Read at call time: the engine's knowledge is replaced by a re-index.
  const knowledge = () => engine.knowledge;

  const keyOf = (r: Resident) => store.userKey(r.channel, r.channelUserId);
  const followUps = createFollowUps({ knowledge, ...(deps.rewrite ? { rewrite: deps.rewrite } : {}), now, ttlMs: deps.contextTtlMs ?? CONTEXT_TTL_MS });
  const progress = flowProgress(store, flows, now);
  const delivery = createStaffDelivery(store, deps.delivery ?? {});

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
      // A channel that keeps the previous turn itself (the web page) sends it; others use the one remembered here.
      const context = options.context !== undefined ? followUps.fresh(options.context) : followUps.context(user.key);
      const followUp = await followUps.resolve(text, context);
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
      const next = result.kind !== "refusal" && result.kind !== "smalltalk" ? followUps.remember(user.key, question, namedCommune) : (context ?? null);

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
      followUps.forget(key);
      // Delivery jobs still waiting find their queue item gone and send nothing.
      return store.deleteUser(key);
    },

    myData: (r, limits = {}) => myDataOf(store, knowledge().communes, keyOf(r), { ...MY_DATA_LIMITS, ...limits }),

    startFlow: (r, flowId) => progress.start(store.ensureUser(r.channel, r.channelUserId).key, flowId),
    continueFlow: (r, input) => progress.next(keyOf(r), input),
    activeFlow: (r) => progress.stored(keyOf(r)),
    cancelFlow: (r) => progress.cancel(keyOf(r)),

    async answerQueued(id, answer, staff) {
      const item = store.answerQueueItem(id, answer, staff);
      const delivered = await delivery.answer(item, answer);
      return { item: store.getQueueItem(id) ?? item, delivered };
    },

    deliverPending: async (r) => delivery.again(keyOf(r)),
  };
  return assistant;
}
