/**
 * The assistant and the resident dialogue over a real engine and store, wired as the service
 * wires them (src/service.ts): live knowledge through a getter, staff answers through the job
 * queue for the channels given.
 */
import { createAssistant, type Assistant, type DeliveryChannel } from "../../src/core/assistant.js";
import { createDialogue, DIALOGUE_TEXTS, MENU, type Dialogue, type DialogueOptions } from "../../src/core/dialogue/index.js";
import { createFlows } from "../../src/core/flows/index.js";
import { createKnowledgeLookup } from "../../src/core/flows/knowledge-lookup.js";
import type { Channel, Store } from "../../src/core/store.js";
import type { Engine } from "../../src/app/engine.js";

export const CONTROLLER = "Ủy ban nhân dân xã Thử Nghiệm";

export interface TestDialogue {
  readonly assistant: Assistant;
  readonly dialogue: Dialogue;
}

export function testDialogue(
  engine: Engine,
  store: Store,
  options: { delivery?: Partial<Record<Channel, DeliveryChannel>> } & Partial<Pick<DialogueOptions, "rateLimit" | "texts" | "menu" | "clock" | "replyWindowHours">> = {},
): TestDialogue {
  const flows = createFlows(createKnowledgeLookup(engine.knowledge.chunks));
  const { delivery, ...rest } = options;
  const assistant = createAssistant({ engine, store, flows, ...(delivery ? { delivery } : {}) });
  const dialogue = createDialogue({
    assistant,
    store,
    knowledge: () => ({ communes: engine.knowledge.communes, flows }),
    retentionDays: 180,
    controller: CONTROLLER,
    texts: DIALOGUE_TEXTS,
    menu: MENU,
    ...rest,
  });
  return { assistant, dialogue };
}
