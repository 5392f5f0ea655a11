/**
 * Staff answers on the web page. A web page cannot be reached when staff answer: the page asks
 * (POST /api/web/inbox) while it is open, and again when the resident comes back in the same
 * browser session. So the web deliverer delivers only into a request that is collecting: at
 * answer time it reports "not delivered" (the assistant keeps the answer pending, as for a Zalo
 * resident outside the free reply window), and the page's next request collects it through the
 * assistant's `deliverPending`, which marks it delivered once it is in that response.
 */
import type { Assistant, Deliverer, Resident } from "../../core/assistant.js";

export interface WebInbox {
  /** Registered with the assistant for channel "web" (the address is the page's session id). */
  readonly deliver: Deliverer;
  /** The staff answers waiting for this session, each as the resident reads it; at most one collection per session at a time. */
  collect(sessionId: string): Promise<string[]>;
}

export function createWebInbox(assistant: Pick<Assistant, "deliverPending">): WebInbox {
  // Session id → texts handed over during a collection in progress.
  const collecting = new Map<string, string[]>();
  const inFlight = new Map<string, Promise<string[]>>();

  const deliver: Deliverer = async (address, text) => {
    const box = collecting.get(address);
    if (!box) return false;
    box.push(text);
    return true;
  };

  async function run(sessionId: string): Promise<string[]> {
    const box: string[] = [];
    collecting.set(sessionId, box);
    try {
      const resident: Resident = { channel: "web", channelUserId: sessionId };
      await assistant.deliverPending(resident);
      return box;
    } finally {
      collecting.delete(sessionId);
    }
  }

  return {
    deliver,
    collect(sessionId) {
      // Two tabs of one session asking at once share one collection: an answer is handed over once.
      const running = inFlight.get(sessionId);
      if (running) return running;
      const promise = run(sessionId).finally(() => inFlight.delete(sessionId));
      inFlight.set(sessionId, promise);
      return promise;
    },
  };
}
