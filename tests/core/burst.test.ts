import { describe, expect, it } from "vitest";
import { createBurstJoiner, type Burst, type BurstTimers } from "../../src/core/burst.js";

/** Timers driven by hand: `advance(ms)` runs what falls due, in order. */
function manualTimers(): BurstTimers & { advance(ms: number): void } {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimeout(run, ms) {
      const id = ++next;
      due.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const [id, timer] = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
        if (id === undefined || !timer || timer.at > end) break;
        due.delete(id);
        now = timer.at;
        timer.run();
      }
      now = end;
    },
  };
}

function setup(options: Parameters<typeof createBurstJoiner>[0] = {}) {
  const timers = manualTimers();
  const handled: Array<Burst<number>> = [];
  const joiner = createBurstJoiner<number>({ quietMs: 1_500, maxWaitMs: 6_000, ...options }, (b) => void handled.push(b), { timers });
  // Handlers run on a promise chain: let it settle after moving the clock.
  const advance = async (ms: number) => {
    timers.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { joiner, handled, advance };
}

describe("createBurstJoiner", () => {
  it("should join parts that come less than the quiet time apart, in order, and hand them over once", async () => {
    const { joiner, handled, advance } = setup();
    ["cho hỏi", "  vneid mức 2 ", "đăng ký ở đâu"].forEach((t, i) => joiner.add("a", t, i));
    await advance(1_499);
    expect(handled).toEqual([]);
    await advance(1);
    expect(handled).toEqual([{ key: "a", items: [0, 1, 2], text: "cho hỏi vneid mức 2 đăng ký ở đâu", reason: "quiet" }]);
    expect(joiner.pending()).toBe(0);
  });

  it("should restart the quiet time at each part, but never wait past the maximum", async () => {
    const { joiner, handled, advance } = setup({ quietMs: 1_000, maxWaitMs: 2_500 });
    for (let i = 0; i < 6; i++) {
      joiner.add("a", `phần ${i}`, i);
      await advance(800);
    }
    // Parts at 0, 800, 1600, 2400 ms: handed over at 2500 ms; the next parts start a new burst.
    expect(handled[0]).toMatchObject({ items: [0, 1, 2, 3], reason: "max-wait" });
    await advance(1_000);
    expect(handled[1]).toMatchObject({ items: [4, 5], reason: "quiet" });
  });

  it("should keep residents apart", async () => {
    const { joiner, handled, advance } = setup();
    joiner.add("a", "một", 1);
    joiner.add("b", "hai", 2);
    joiner.add("a", "ba", 3);
    await advance(1_500);
    expect(handled.map((b) => [b.key, b.text]).sort()).toEqual([
      ["a", "một ba"],
      ["b", "hai"],
    ]);
  });

  it("should start a new burst rather than exceed the length or part limits, dropping nothing", async () => {
    const { joiner, handled, advance } = setup({ maxChars: 12, maxParts: 3 });
    joiner.add("a", "12345", 1);
    joiner.add("a", "67890", 2);
    joiner.add("a", "abc", 3); // 5 + 1 + 5 + 1 + 3 = 15 > 12: the first two go now
    expect(handled.map((b) => b.text)).toEqual([]);
    await advance(0);
    expect(handled).toMatchObject([{ text: "12345 67890", reason: "full" }]);
    joiner.add("a", "d", 4);
    joiner.add("a", "e", 5); // three parts: full
    await advance(0);
    expect(handled[1]).toMatchObject({ text: "abc d e", reason: "full" });
    joiner.add("a", "x".repeat(40), 6); // longer than maxChars on its own: handed over whole
    await advance(0);
    expect(handled[2]).toMatchObject({ text: "x".repeat(40), reason: "full" });
  });

  it("should ignore empty parts", async () => {
    const { joiner, handled, advance } = setup();
    joiner.add("a", "   ", 1);
    await advance(2_000);
    expect(handled).toEqual([]);
  });

  it("should hand over on flush and wait for the handler, one burst of a key at a time", async () => {
    const timers = manualTimers();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const joiner = createBurstJoiner<number>(
      { quietMs: 1_000, maxWaitMs: 1_000 },
      async (b) => {
        log.push(`start ${b.text}`);
        if (b.text === "một") await new Promise<void>((r) => (release = r));
        log.push(`end ${b.text}`);
      },
      { timers },
    );
    joiner.add("a", "một", 1);
    timers.advance(1_000);
    joiner.add("a", "hai", 2);
    const flushed = joiner.flush("a");
    await Promise.resolve();
    expect(log).toEqual(["start một"]);
    release();
    await flushed;
    expect(log).toEqual(["start một", "end một", "start hai", "end hai"]);
    expect(joiner.pending()).toBe(0);
  });

  it("should report a handler error and keep working", async () => {
    const timers = manualTimers();
    const errors: unknown[] = [];
    const handled: string[] = [];
    const joiner = createBurstJoiner<number>(
      { quietMs: 100, maxWaitMs: 100 },
      (b) => {
        if (b.text === "hỏng") throw new Error("boom");
        handled.push(b.text);
      },
      { timers, onError: (err) => errors.push(err) },
    );
    joiner.add("a", "hỏng", 1);
    await joiner.flush();
    joiner.add("a", "được", 2);
    await joiner.flush();
    expect(errors).toHaveLength(1);
    expect(handled).toEqual(["được"]);
  });

  it("should refuse options that cannot work", () => {
    expect(() => createBurstJoiner({ quietMs: 0 }, () => undefined)).toThrow(RangeError);
    expect(() => createBurstJoiner({ quietMs: 2_000, maxWaitMs: 1_000 }, () => undefined)).toThrow(RangeError);
  });
});
