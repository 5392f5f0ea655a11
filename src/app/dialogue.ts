/**
 * Builders of the dialogue side (composition root, see src/app/service.ts): the assistant every
 * channel talks through, and the commune-radio broadcaster (service, Telegram /bantin, console,
 * `npm run broadcast`). Both read the knowledge live, so a re-index reaches them at once.
 */
import type { BroadcastConfig } from "../config.js";
import { createAssistant, type Assistant } from "../core/assistant.js";
import { createBroadcaster, type Broadcaster } from "../core/broadcast/index.js";
import type { Store } from "../core/store.js";
import type { Engine } from "./engine.js";
import type { KnowledgeSnapshot } from "./knowledge.js";

/** The shared conversation service over the live knowledge (its engine and its flows). */
export function buildAssistant(knowledge: { current(): KnowledgeSnapshot; readonly engine: Engine }, store: Store): Assistant {
  const { engine } = knowledge;
  // With a language model, follow-ups are rewritten by it (the live engine's, so a re-index keeps it).
  const rewrite = engine.llm ? (history: readonly string[], question: string) => engine.llm?.rewrite(history, question) ?? Promise.resolve(null) : undefined;
  return createAssistant({ engine, store, flows: () => knowledge.current().flows, ...(rewrite ? { rewrite } : {}) });
}

/** Drafts commune-radio scripts from `engine` (a live one in the service), with its language model if any. */
export function buildBroadcaster(config: BroadcastConfig, engine: Engine): Broadcaster {
  return createBroadcaster({ engine, wordsPerMinute: config.BROADCAST_WORDS_PER_MINUTE, llm: () => engine.llm });
}
