/**
 * A per-resident limit on incoming work (a sliding window), shared by messaging channels. Over
 * the limit, the first refusal in a run says "warn" (the channel tells the resident once) and the
 * rest say "drop"; a channel must still acknowledge what it drops where its platform expects it
 * (a Telegram button tap spins until answered).
 */

/** "ok": go ahead; "warn": refused, tell the resident; "drop": refused, already told. */
export type Admission = "ok" | "warn" | "drop";

export interface RateLimitOptions {
  /** Admissions allowed per key within `windowMs`. */
  readonly limit: number;
  /** Length of the sliding window (ms). */
  readonly windowMs: number;
  /** Clock (ms); default Date.now. */
  readonly now?: () => number;
  /** Keys remembered before idle ones are forgotten (default 10,000). */
  readonly maxKeys?: number;
}

export interface RateLimiter {
  /** Counts one unit of work for `key` if it is allowed. */
  admit(key: string): Admission;
}

/** Creates an in-memory limiter (memory only: the keys should be pseudonymous). */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const recent = new Map<string, { times: number[]; warned: boolean }>();
  return {
    admit(key) {
      const t = now();
      if (recent.size >= maxKeys) {
        for (const [k, v] of recent) if (t - (v.times[v.times.length - 1] ?? 0) >= options.windowMs) recent.delete(k);
      }
      const entry = recent.get(key) ?? { times: [], warned: false };
      entry.times = entry.times.filter((x) => t - x < options.windowMs);
      recent.set(key, entry);
      if (entry.times.length >= options.limit) {
        if (entry.warned) return "drop";
        entry.warned = true;
        return "warn";
      }
      entry.times.push(t);
      entry.warned = false;
      return "ok";
    },
  };
}
