import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import PQueue from "p-queue";
import type { ZodType } from "zod/v4";
import type { ChatMessage, LanguageModel, LlmFailureReason, LlmReply } from "../core/ports.js";
import { parseJsonReply } from "./json-reply.js";

export interface LanguageModelOptions {
  /** Provider and model, for diagnostics ("openai-compatible:gpt-4o-mini"). */
  readonly id: string;
  /** The whole call, waiting for a slot included, in ms. */
  readonly timeoutMs: number;
  /** Calls in flight at once. */
  readonly maxConcurrency: number;
  /** Calls allowed to wait for a slot; one more is refused at once ("busy"). */
  readonly maxQueue: number;
  /** Longest pause honoured from a 429's Retry-After, in ms. */
  readonly maxCoolDownMs?: number;
  readonly clock?: () => number;
}

class CallTimeout extends Error {
  constructor() {
    super("language model call timed out");
    this.name = "CallTimeout";
  }
}

function toLangChain(m: ChatMessage): BaseMessage {
  if (m.role === "system") return new SystemMessage(m.content);
  if (m.role === "assistant") return new AIMessage(m.content);
  return new HumanMessage(m.content);
}

interface ErrorLike {
  name?: string;
  message?: string;
  status?: number;
  status_code?: number;
  code?: string;
  lc_error_code?: string;
  headers?: unknown;
  cause?: unknown;
}

/** Sorts a thrown error into "remote said no" (which kind) and "could not reach". */
export function classifyLlmError(err: unknown): LlmFailureReason {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.status === "number" ? e.status : typeof e.status_code === "number" ? e.status_code : undefined;
  if (e.name === "TimeoutError" || e.name === "CallTimeout" || e.name === "AbortError") return "timeout";
  if (status === 429 || e.lc_error_code === "MODEL_RATE_LIMIT") return "rate_limited";
  if (status !== undefined && status >= 500) return "server_error";
  if (status !== undefined && status >= 400) return "rejected";
  return "unreachable";
}

/** Seconds from a Retry-After header (openai's error carries the response headers). */
function retryAfterMs(err: unknown): number | null {
  const headers = (err as ErrorLike)?.headers;
  let value: string | null | undefined;
  if (headers && typeof (headers as Headers).get === "function") value = (headers as Headers).get("retry-after");
  else if (headers && typeof headers === "object") value = (headers as Record<string, string | undefined>)["retry-after"];
  const seconds = value ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

function describe(err: unknown): string {
  const e = (err ?? {}) as ErrorLike;
  const status = e.status ?? e.status_code;
  return `${e.name ?? "Error"}${status ? ` ${status}` : ""}: ${String(e.message ?? err).slice(0, 160)}`;
}

/**
 * Wraps a LangChain chat model as the core's LanguageModel: a concurrency cap with a bounded
 * waiting line, one deadline per call (waiting included), no retries of its own (callers fall
 * back instead), a pause after a 429 for as long as the server asks (up to `maxCoolDownMs`), and
 * replies parsed as JSON. Never throws.
 */
export function createLanguageModel(chat: BaseChatModel, options: LanguageModelOptions): LanguageModel {
  const queue = new PQueue({ concurrency: options.maxConcurrency });
  const now = options.clock ?? Date.now;
  const maxCoolDown = options.maxCoolDownMs ?? 60_000;
  let coolDownUntil = 0;

  return {
    id: options.id,
    async completeJson<T>(messages: readonly ChatMessage[], schema: ZodType<T>): Promise<LlmReply<T>> {
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      if (now() < coolDownUntil) return { ok: false, reason: "rate_limited", detail: "pausing after a 429 (Retry-After)", text: null, ms: ms() };
      if (queue.pending >= options.maxConcurrency && queue.size >= options.maxQueue) return { ok: false, reason: "busy", detail: `${queue.pending} calls running, ${queue.size} waiting`, text: null, ms: ms() };

      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new CallTimeout()), options.timeoutMs);
      let text: string;
      try {
        const reply = await queue.add(({ signal }) => chat.invoke(messages.map(toLangChain), signal ? { signal } : {}), { signal: deadline.signal, throwOnTimeout: true });
        text = reply.text;
      } catch (err) {
        const reason = deadline.signal.aborted ? "timeout" : classifyLlmError(err);
        if (reason === "rate_limited") {
          const wait = retryAfterMs(err);
          if (wait) coolDownUntil = now() + Math.min(wait, maxCoolDown);
        }
        return { ok: false, reason, detail: deadline.signal.aborted ? `no reply within ${options.timeoutMs} ms` : describe(err), text: null, ms: ms() };
      } finally {
        clearTimeout(timer);
      }
      const parsed = parseJsonReply(text, schema);
      if (!parsed.ok) return { ok: false, reason: "malformed", detail: parsed.detail, text, ms: ms() };
      return { ok: true, value: parsed.value, text, ms: ms() };
    },
  };
}
