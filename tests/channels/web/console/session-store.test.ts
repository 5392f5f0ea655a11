import type { Session } from "fastify";
import { describe, expect, it } from "vitest";
import { createMemorySessionStore } from "../../../../src/channels/web/console/session-store.js";

const session = (staff: string | null, expires: number) => ({ cookie: { expires: new Date(expires).toISOString(), originalMaxAge: null }, ...(staff ? { staff: { username: staff, key: "k", at: 0 } } : {}) }) as unknown as Session;
const get = (store: ReturnType<typeof createMemorySessionStore>, id: string) =>
  new Promise<Session | null | undefined>((resolve) => store.get(id, (_err, s) => resolve(s)));

describe("console session store", () => {
  it("should keep copies, expire them, and keep anonymous sessions at most an hour", async () => {
    let now = 1_000_000;
    const store = createMemorySessionStore({ ttlMs: 8 * 3_600_000, now: () => now });
    store.set("staff", session("thu", now + 8 * 3_600_000), () => undefined);
    store.set("anon", session(null, now + 8 * 3_600_000), () => undefined);
    expect(((await get(store, "staff")) as { staff: { username: string } }).staff.username).toBe("thu");
    now += 2 * 3_600_000;
    expect(await get(store, "anon")).toBeNull();
    expect(await get(store, "staff")).not.toBeNull();
    now += 7 * 3_600_000;
    expect(await get(store, "staff")).toBeNull();
    store.close();
  });

  it("should drop anonymous sessions before signed-in ones when full", async () => {
    const now = 1_000_000;
    const store = createMemorySessionStore({ ttlMs: 3_600_000, maxEntries: 3, now: () => now });
    store.set("staff-1", session("thu", now + 3_600_000), () => undefined);
    for (let i = 0; i < 10; i++) store.set(`anon-${i}`, session(null, now + 3_600_000), () => undefined);
    expect(store.size).toBe(3);
    expect(await get(store, "staff-1")).not.toBeNull();
    expect(await get(store, "anon-9")).not.toBeNull();
    expect(await get(store, "anon-0")).toBeNull();
    store.destroy("staff-1", () => undefined);
    expect(await get(store, "staff-1")).toBeNull();
    store.close();
  });
});
