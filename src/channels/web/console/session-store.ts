/**
 * Console sessions kept in memory: a restart signs everyone out, which is acceptable for a
 * commune office and leaves nothing on disk. Bounded in size and swept of expired entries.
 * Anonymous sessions (a visit to the sign-in page holds its CSRF secret) live at most an hour
 * and are dropped first when the store is full, so a flood of visits cannot push out staff.
 */
import type { Session } from "fastify";

type Callback = (err?: unknown) => void;

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
  readonly anonymous: boolean;
}

/** How long a session without a signed-in account is kept (ms). */
const ANONYMOUS_TTL_MS = 60 * 60 * 1000;

export interface MemorySessionStore {
  set(sessionId: string, session: Session, callback: Callback): void;
  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void;
  destroy(sessionId: string, callback: Callback): void;
  readonly size: number;
  close(): void;
}

export function createMemorySessionStore(options: { ttlMs: number; maxEntries?: number; now?: () => number }): MemorySessionStore {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();

  const sweep = () => {
    const t = now();
    for (const [id, entry] of entries) if (entry.expiresAt <= t) entries.delete(id);
  };
  const timer = setInterval(sweep, 5 * 60 * 1000);
  timer.unref();

  return {
    set(sessionId, session, callback) {
      entries.delete(sessionId);
      if (entries.size >= max) {
        sweep();
        // Still full: drop the oldest anonymous sessions, then the oldest of all (a Map keeps
        // insertion order and set() re-inserts on each save).
        for (const [id, entry] of entries) {
          if (entries.size < max) break;
          if (entry.anonymous) entries.delete(id);
        }
        for (const id of entries.keys()) {
          if (entries.size < max) break;
          entries.delete(id);
        }
      }
      const anonymous = !(session as { staff?: unknown }).staff;
      const expires = session.cookie?.expires;
      const limit = now() + (anonymous ? Math.min(ANONYMOUS_TTL_MS, options.ttlMs) : options.ttlMs);
      const expiresAt = expires ? Math.min(new Date(expires).getTime(), limit) : limit;
      entries.set(sessionId, { json: JSON.stringify(session), expiresAt, anonymous });
      callback();
    },
    get(sessionId, callback) {
      const entry = entries.get(sessionId);
      if (!entry) return callback(null, null);
      if (entry.expiresAt <= now()) {
        entries.delete(sessionId);
        return callback(null, null);
      }
      callback(null, JSON.parse(entry.json) as Session);
    },
    destroy(sessionId, callback) {
      entries.delete(sessionId);
      callback();
    },
    get size() {
      return entries.size;
    },
    close() {
      clearInterval(timer);
    },
  };
}
