/**
 * Limits on password guessing at the console sign-in that a stranger cannot turn against the
 * real staff member. Failures are counted per address (IP), per account, and per account from
 * one address; successful sign-ins never count.
 *
 * - An address with `maxPerIp` recent failures (any accounts) is refused for `windowMs` after
 *   its last failure.
 * - An account with `maxPerAccount` failures makes *the addresses that failed on it* wait before
 *   each new try: `baseDelayMs` after its last failure, doubling with each further failure, at
 *   most `maxDelayMs`. An address that has not failed on the account recently is not held back,
 *   so the real user signs in from their own machine while someone elsewhere guesses.
 * - A successful sign-in removes the failures of that account from that address (from all
 *   three counts); other addresses' failures on the account remain.
 *
 * In memory only (a restart forgets), bounded in size. Pure: the clock is injected.
 */

export interface SignInGuardOptions {
  /** Failures from one address before it is refused for `windowMs`. */
  readonly maxPerIp: number;
  /** Failures on one account before addresses that failed on it must wait. */
  readonly maxPerAccount: number;
  /** How long a failure counts for its address, and how long an address stays refused (default 15 minutes). */
  readonly windowMs?: number;
  /** How long an account remembers its failures after the last one (default 24 hours). */
  readonly accountMemoryMs?: number;
  /** First wait once an account reached `maxPerAccount` failures (default 1 minute). */
  readonly baseDelayMs?: number;
  /** Longest wait (default 15 minutes). */
  readonly maxDelayMs?: number;
  /** Entries kept per table; the oldest go first (default 10,000). */
  readonly maxEntries?: number;
  readonly clock?: () => number;
}

export type SignInVerdict = { readonly allowed: true } | { readonly allowed: false; readonly by: "ip" | "account"; readonly retryAfterMs: number };

export interface SignInGuard {
  /**
   * Called before the password is checked. An allowed attempt is counted as a failure right
   * away (so parallel guesses cannot slip through together) until `succeeded` takes it back.
   */
  attempt(account: string, ip: string): SignInVerdict;
  /** The password was right: forget this account's failures from this address. */
  succeeded(account: string, ip: string): void;
}

interface Count {
  n: number;
  last: number;
}

const MINUTE = 60_000;

export function createSignInGuard(options: SignInGuardOptions): SignInGuard {
  const windowMs = options.windowMs ?? 15 * MINUTE;
  const memoryMs = options.accountMemoryMs ?? 24 * 60 * MINUTE;
  const baseDelayMs = options.baseDelayMs ?? MINUTE;
  const maxDelayMs = options.maxDelayMs ?? 15 * MINUTE;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.clock ?? Date.now;
  const byIp = new Map<string, Count>();
  const byAccount = new Map<string, Count>();
  const byPair = new Map<string, Count>();
  const pairKey = (account: string, ip: string) => `${account}\u0000${ip}`;

  const live = (table: Map<string, Count>, key: string, ttl: number, at: number): Count | undefined => {
    const count = table.get(key);
    if (count && at - count.last >= ttl) {
      table.delete(key);
      return undefined;
    }
    return count;
  };
  const add = (table: Map<string, Count>, key: string, ttl: number, at: number) => {
    const count = live(table, key, ttl, at) ?? { n: 0, last: at };
    table.delete(key);
    table.set(key, { n: count.n + 1, last: at });
    if (table.size > maxEntries) table.delete(table.keys().next().value as string);
  };
  const subtract = (table: Map<string, Count>, key: string, n: number) => {
    const count = table.get(key);
    if (!count) return;
    if (count.n <= n) table.delete(key);
    else count.n -= n;
  };

  return {
    attempt(account, ip) {
      const at = now();
      const address = live(byIp, ip, windowMs, at);
      if (address && address.n >= options.maxPerIp) return { allowed: false, by: "ip", retryAfterMs: address.last + windowMs - at };
      const owner = live(byAccount, account, memoryMs, at);
      const failedHere = live(byPair, pairKey(account, ip), windowMs, at);
      if (failedHere && owner && owner.n >= options.maxPerAccount) {
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, owner.n - options.maxPerAccount));
        const wait = owner.last + delay - at;
        if (wait > 0) return { allowed: false, by: "account", retryAfterMs: wait };
      }
      add(byIp, ip, windowMs, at);
      add(byAccount, account, memoryMs, at);
      add(byPair, pairKey(account, ip), windowMs, at);
      return { allowed: true };
    },

    succeeded(account, ip) {
      const key = pairKey(account, ip);
      const n = byPair.get(key)?.n ?? 1;
      byPair.delete(key);
      subtract(byIp, ip, n);
      subtract(byAccount, account, n);
    },
  };
}
