/**
 * Builders of the dialogue side (composition root, see src/app/service.ts): the assistant every
 * channel talks through, and the commune-radio broadcaster (service, Telegram /bantin, console,
 * `npm run broadcast`). Both read the knowledge live, so a re-index reaches them at once.
 */
import type { BroadcastConfig, Config } from "../config.js";
import { createAssistant, type Assistant } from "../core/assistant.js";
import { createBroadcaster, type Broadcaster } from "../core/broadcast/index.js";
import { createDialogue, DIALOGUE_TEXTS, MENU, type Dialogue } from "../core/dialogue/index.js";
import type { Store } from "../core/store.js";
import type { Engine } from "./engine.js";
import type { KnowledgeSnapshot } from "./knowledge.js";

/** Which channels run a worker that delivers staff answers (core/dialogue/delivery.ts); the web page collects its own. */
export function deliveryChannels(config: Pick<Config, "telegram" | "zalo">): NonNullable<Parameters<typeof createAssistant>[0]["delivery"]> {
  const zaloOn = Boolean(config.zalo.ZALO_APP_ID && config.zalo.ZALO_OA_SECRET_KEY);
  return { web: { waitMs: 0 }, ...(config.telegram.TELEGRAM_BOT_TOKEN ? { telegram: {} } : {}), ...(zaloOn ? { zalo: {} } : {}) };
}

/** The shared conversation service over the live knowledge (its engine and its flows). */
export function buildAssistant(
  knowledge: { current(): KnowledgeSnapshot; readonly engine: Engine },
  store: Store,
  delivery?: Parameters<typeof createAssistant>[0]["delivery"],
): Assistant {
  const { engine } = knowledge;
  // With a language model, follow-ups are rewritten by it (the live engine's, so a re-index keeps it).
  const rewrite = engine.llm ? (history: readonly string[], question: string) => engine.llm?.rewrite(history, question) ?? Promise.resolve(null) : undefined;
  return createAssistant({ engine, store, flows: () => knowledge.current().flows, ...(delivery ? { delivery } : {}), ...(rewrite ? { rewrite } : {}) });
}

/** The one resident dialogue every channel renders, with the default texts and menu, over the live knowledge. */
export function buildDialogue(
  config: Pick<Config, "privacy" | "zalo">,
  deps: { readonly assistant: Assistant; readonly store: Store; readonly knowledge: () => KnowledgeSnapshot; readonly clock?: () => number },
): Dialogue {
  return createDialogue({
    assistant: deps.assistant,
    store: deps.store,
    knowledge: () => {
      const { communes, flows } = deps.knowledge();
      return { communes, flows };
    },
    retentionDays: config.privacy.RETENTION_DAYS,
    controller: config.privacy.CONTROLLER_NAME,
    replyWindowHours: { zalo: config.zalo.ZALO_FREE_WINDOW_HOURS },
    texts: DIALOGUE_TEXTS,
    menu: MENU,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

/** Drafts commune-radio scripts from `engine` (a live one in the service), with its language model if any. */
export function buildBroadcaster(config: BroadcastConfig, engine: Engine): Broadcaster {
  return createBroadcaster({ engine, wordsPerMinute: config.BROADCAST_WORDS_PER_MINUTE, llm: () => engine.llm });
}
