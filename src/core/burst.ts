/**
 * Joins messages a resident sends in quick succession into one question. Residents often type
 * one thought as several short messages ("cho hỏi", "vneid mức 2", "đăng ký ở đâu"): answering
 * each alone gives three poor answers, so the parts are collected until the resident pauses and
 * answered once. Channel-agnostic: the channel decides what a key is (one resident in one chat)
 * and what an item carries (e.g. the context to reply with). Timers are injected for tests.
 */

/** How a burst is collected. */
export interface BurstOptions {
  /** A burst is answered after this much quiet since its last part (ms). */
  readonly quietMs: number;
  /** …and at the latest this long after its first part, even if the resident keeps typing (ms). */
  readonly maxWaitMs: number;
  /** The joined text never gets longer than this: a part that would overflow starts a new burst (characters). */
  readonly maxChars: number;
  /** A burst is answered as soon as it holds this many parts. */
  readonly maxParts: number;
}

/** Defaults: 1.5 s of quiet, 6 s at most, 1,500 characters, 20 parts. */
export const DEFAULT_BURST_OPTIONS: BurstOptions = { quietMs: 1_500, maxWaitMs: 6_000, maxChars: 1_500, maxParts: 20 };

/** Why a burst was handed over. */
export type BurstReason = "quiet" | "max-wait" | "full" | "flush";

/** Parts collected for one key, in the order they arrived. */
export interface Burst<T> {
  readonly key: string;
  /** The items passed to `add`, one per part. */
  readonly items: readonly T[];
  /** The parts' texts, trimmed, joined with a space (they are usually pieces of one sentence). */
  readonly text: string;
  readonly reason: BurstReason;
}

/** The timer functions the joiner uses (default: the global setTimeout / clearTimeout and Date.now). */
export interface BurstTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface BurstJoiner<T> {
  /** Adds one message; empty text (after trimming) is ignored. Never drops a part. */
  add(key: string, text: string, item: T): void;
  /**
   * Hands over the pending burst of `key` (of every key when omitted) at once, and resolves when
   * the handler has finished with it and with any burst of those keys already being handled.
   */
  flush(key?: string): Promise<void>;
  /** Bursts still collecting, plus bursts being handled. */
  pending(): number;
}

interface Collecting<T> {
  readonly items: T[];
  readonly parts: string[];
  length: number;
  readonly firstAt: number;
  timer: unknown;
}

// A space, not a line break: the question analysis reads a line break as the end of a sentence,
// and the parts are usually pieces of one ("vneid" / "muc 2" / "dang ky o dau").
const SEPARATOR = " ";

const defaultTimers: BurstTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * Creates a joiner that calls `handle` once per burst. Bursts of one key are handled one after
 * another, never concurrently, in the order they closed. `handle` should not throw; if it does,
 * `onError` receives the error (the joiner itself keeps working).
 */
export function createBurstJoiner<T>(
  options: Partial<BurstOptions>,
  handle: (burst: Burst<T>) => Promise<void> | void,
  extra: { readonly timers?: BurstTimers; readonly onError?: (err: unknown, burst: Burst<T>) => void } = {},
): BurstJoiner<T> {
  const o = { ...DEFAULT_BURST_OPTIONS, ...options };
  if (!(o.quietMs > 0) || !(o.maxWaitMs >= o.quietMs) || !(o.maxChars > 0) || !(o.maxParts >= 1)) {
    throw new RangeError("burst options: quietMs > 0, maxWaitMs >= quietMs, maxChars > 0 and maxParts >= 1 are required");
  }
  const timers = extra.timers ?? defaultTimers;
  const collecting = new Map<string, Collecting<T>>();
  const running = new Map<string, Promise<void>>();

  function close(key: string, reason: BurstReason): void {
    const burst = collecting.get(key);
    if (!burst) return;
    collecting.delete(key);
    timers.clearTimeout(burst.timer);
    const ready: Burst<T> = { key, items: burst.items, text: burst.parts.join(SEPARATOR), reason };
    const previous = running.get(key) ?? Promise.resolve();
    const run = previous
      .then(() => handle(ready))
      .catch((err: unknown) => extra.onError?.(err, ready))
      .finally(() => {
        if (running.get(key) === run) running.delete(key);
      });
    running.set(key, run);
  }

  function arm(key: string, burst: Collecting<T>): void {
    timers.clearTimeout(burst.timer);
    const untilMax = burst.firstAt + o.maxWaitMs - timers.now();
    const wait = Math.max(0, Math.min(o.quietMs, untilMax));
    burst.timer = timers.setTimeout(() => close(key, wait < o.quietMs ? "max-wait" : "quiet"), wait);
  }

  return {
    add(key, text, item) {
      const part = text.trim();
      if (!part) return;
      const current = collecting.get(key);
      if (current && (current.parts.length >= o.maxParts || current.length + SEPARATOR.length + part.length > o.maxChars)) close(key, "full");
      let burst = collecting.get(key);
      if (!burst) {
        burst = { items: [], parts: [], length: -SEPARATOR.length, firstAt: timers.now(), timer: undefined };
        collecting.set(key, burst);
      }
      burst.items.push(item);
      burst.parts.push(part);
      burst.length += SEPARATOR.length + part.length;
      if (burst.parts.length >= o.maxParts || burst.length >= o.maxChars) close(key, "full");
      else arm(key, burst);
    },

    async flush(key) {
      const keys = key === undefined ? [...collecting.keys()] : [key];
      for (const k of keys) close(k, "flush");
      const waiting = key === undefined ? [...running.values()] : [running.get(key)];
      await Promise.all(waiting);
    },

    pending: () => collecting.size + running.size,
  };
}
