import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  broadcastReadAloudText,
  broadcastSourcesText,
  createBroadcaster,
  DEFAULT_WORDS_PER_MINUTE,
  type BroadcastEngine,
  type BroadcastScript,
  type Broadcaster,
} from "../../src/core/broadcast/index.js";
import type { Chunk } from "../../src/core/knowledge/chunk.js";
import type { Engine } from "../../src/app/engine.js";
import { testEngine } from "../helpers/engine.js";

let engine: Engine;
let cleanup: () => Promise<void>;
let broadcaster: Broadcaster;
beforeAll(async () => {
  ({ engine, cleanup } = await testEngine());
  broadcaster = createBroadcaster({ engine });
});
afterAll(async () => cleanup());

async function draft(topic: string, minutes: number, extra: { commune?: string | null; audience?: string | null } = {}): Promise<BroadcastScript> {
  const outcome = await broadcaster.draft({ topic, minutes, ...extra });
  if (!outcome.ok) throw new Error(`${topic}: ${outcome.reason} ${outcome.message}`);
  return outcome.script;
}

// ---- an independent reading of spoken Vietnamese numbers ---------------------------------------

const DIGIT_WORDS: Record<string, number> = { không: 0, một: 1, mốt: 1, hai: 2, ba: 3, bốn: 4, tư: 4, năm: 5, lăm: 5, sáu: 6, bảy: 7, tám: 8, chín: 9 };
const BARE_DIGITS = new Set(["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]);
const NUMBER_WORDS = new Set([...Object.keys(DIGIT_WORDS), "mười", "mươi", "trăm", "nghìn", "ngàn", "triệu", "tỷ", "linh", "lẻ", "phẩy"]);
/** Words that are also ordinary words ("một số", "không có", "năm 2025", "thứ tư", "bà ba"): alone they prove nothing. */
const AMBIGUOUS_ALONE = new Set(["một", "không", "năm", "tư", "ba", "chín", "mốt", "lăm"]);

/** Parses one number from words[i…]; returns its value as text and how many words it used. */
function parseNumber(words: readonly string[], i: number): { value: string; used: number } | null {
  let total = 0;
  let current = 0;
  let pending: number | null = null;
  let j = i;
  let sawDigit = false;
  for (; j < words.length; j++) {
    const w = words[j] as string;
    if (w in DIGIT_WORDS) {
      if (pending !== null) break;
      pending = DIGIT_WORDS[w] as number;
      sawDigit = true;
    } else if (w === "mười") {
      if (pending !== null) break;
      current += 10;
      sawDigit = true;
    } else if (w === "mươi" || w === "trăm") {
      if (pending === null) break;
      current += pending * (w === "mươi" ? 10 : 100);
      pending = null;
    } else if (w === "linh" || w === "lẻ") {
      continue;
    } else if (w === "nghìn" || w === "ngàn" || w === "triệu") {
      if (!sawDigit) break;
      total += (current + (pending ?? 0)) * (w === "triệu" ? 1_000_000 : 1000);
      current = 0;
      pending = null;
    } else if (w === "tỷ") {
      if (!sawDigit) break;
      total = (total + current + (pending ?? 0)) * 1_000_000_000;
      current = 0;
      pending = null;
    } else if (w === "phẩy") {
      // A decimal: the fraction is read as a number, or digit by digit after a leading zero.
      const rest: string[] = [];
      let k = j + 1;
      while (k < words.length && ["mười", "mươi", "trăm", "linh", ...Object.keys(DIGIT_WORDS)].includes(words[k] as string)) rest.push(words[k++] as string);
      const fraction = rest.every((r) => BARE_DIGITS.has(r)) && rest[0] === "không" ? rest.map((r) => DIGIT_WORDS[r]).join("") : parseNumber(rest, 0)?.value;
      if (!fraction) break;
      return { value: `${total + current + (pending ?? 0)}.${fraction}`, used: k - i };
    } else {
      break;
    }
  }
  if (!sawDigit || j === i) return null;
  return { value: String(total + current + (pending ?? 0)), used: j - i };
}

/** Every number said in a text: its value (digits, "12.8" for decimals) and the words that said it. */
function spokenNumbers(text: string): Array<{ value: string; words: string; digitString: boolean }> {
  const out: Array<{ value: string; words: string; digitString: boolean }> = [];
  // Runs of number words separated by spaces only; punctuation ends a run.
  for (const piece of text.toLowerCase().normalize("NFC").split(/[^\p{L}\p{N}\s]+/u)) {
    const tokens = piece.split(/\s+/).filter(Boolean);
    for (let i = 0; i < tokens.length; ) {
      if (!NUMBER_WORDS.has(tokens[i] as string)) {
        i++;
        continue;
      }
      let end = i;
      while (end < tokens.length && NUMBER_WORDS.has(tokens[end] as string)) end++;
      const run = tokens.slice(i, end);
      if (run.length >= 2 && run.every((w) => BARE_DIGITS.has(w))) {
        // "một một ba": a number dialled digit by digit.
        out.push({ value: run.map((w) => DIGIT_WORDS[w]).join(""), words: run.join(" "), digitString: true });
      } else {
        for (let k = 0; k < run.length; ) {
          const parsed = parseNumber(run, k);
          if (!parsed) {
            k++;
            continue;
          }
          const words = run.slice(k, k + parsed.used);
          if (!(words.length === 1 && AMBIGUOUS_ALONE.has(words[0] as string))) out.push({ value: parsed.value, words: words.join(" "), digitString: false });
          k += parsed.used;
        }
      }
      i = end;
    }
  }
  return out;
}

/** Numbers written in source text, canonical: "500.000" → "500000", "12,8" → "12.8", "07" → "7", and every part. */
function writtenNumbers(text: string): { values: Set<string>; digitStrings: string[] } {
  const values = new Set<string>();
  const digitStrings: string[] = [];
  for (const m of text.matchAll(/(\d+(?:[.,]\d+)*)(\s+(?:nghìn|triệu|tỷ)(?!\p{L}))?/gu)) {
    const raw = m[1] as string;
    // "129 triệu" is said "một trăm hai mươi chín triệu".
    const scale = { " nghìn": 1e3, " triệu": 1e6, " tỷ": 1e9 }[(m[2] ?? "").replace(/\s+/, " ")];
    if (scale && /^\d+$/.test(raw)) values.add(String(Number(raw) * scale));
    const thousands = /^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(raw);
    if (thousands) values.add(String(Number(raw.replace(/\./g, "").replace(",", "."))));
    if (/^\d+,\d+$/.test(raw)) values.add(String(Number(raw.replace(",", "."))));
    for (const part of raw.split(/[.,]/)) values.add(String(Number(part)));
    digitStrings.push(raw.replace(/\D/g, ""));
  }
  return { values, digitStrings };
}

/** The text of every knowledge chunk a script cites (and its document's title, notice, URL, date). */
function citedText(script: BroadcastScript): string {
  const chunks = engine.knowledge.chunks;
  const parts: string[] = [];
  for (const s of script.sources) {
    const matching = chunks.filter((c: Chunk) => c.docId === s.docId && (c.section === s.section || (s.section === "" && c.section === "")));
    expect(matching.length + (s.section === "" ? 1 : 0), `source ${s.docId} › ${s.section} exists`).toBeGreaterThan(0);
    const any = chunks.find((c) => c.docId === s.docId);
    parts.push(...matching.map((c) => c.text), any?.notice ?? "", s.title, s.section, s.url ?? "", s.asOf);
  }
  return parts.join("\n");
}

function expectNumbersFromSources(script: BroadcastScript): void {
  const cited = citedText(script);
  const written = writtenNumbers(cited);
  const citedWords = ` ${cited.toLowerCase().normalize("NFC").replace(/[^\p{L}\p{N}]+/gu, " ")} `;
  for (const n of spokenNumbers(broadcastReadAloudText(script))) {
    const found = n.digitString
      ? written.digitStrings.some((d) => d.includes(n.value))
      : written.values.has(n.value) || citedWords.includes(` ${n.words} `);
    expect(found, `«${n.words}» (${n.value}) is in a cited source`).toBe(true);
  }
  // The block that is not read aloud quotes sources as written: its digits too must be theirs.
  const sourceEntries = script.sources.map((s) => [s.title, s.section, s.url ?? "", s.asOf, ...(s.quotes ?? [])].join("\n")).join("\n");
  for (const value of writtenNumbers(sourceEntries).values) expect(written.values.has(value), `${value} (sources block) is in a cited source`).toBe(true);
}

const wordsOf = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

// ---- the six topics ------------------------------------------------------------------------------

const TOPICS: ReadonlyArray<[string, string]> = [
  ["tat song 2g", "tắt sóng 2G"],
  ["ho tro dien thoai thong minh cho ho ngheo", "hỗ trợ điện thoại thông minh cho hộ nghèo"],
  ["lua dao truc tuyen", "lừa đảo trực tuyến"],
  ["vneid muc 2", "VNeID mức 2"],
  ["dich vu cong truc tuyen", "dịch vụ công trực tuyến"],
  ["ke hoach ha tang so cua xa", "kế hoạch hạ tầng số của xã"],
];
const CASES = TOPICS.flatMap(([plain, marked]) => [1, 3, 5].flatMap((minutes) => [[plain, minutes] as const, [marked, minutes] as const]));

describe("draft: the six topics", () => {
  it.each(CASES)("should draft «%s» for %i minute(s) within 15 percent of the time, every number from a cited source", async (topic, minutes) => {
    const script = await draft(topic, minutes);
    const readAloud = broadcastReadAloudText(script);

    // Length: recounted here, at the configured rate.
    expect(script.wordsPerMinute).toBe(DEFAULT_WORDS_PER_MINUTE);
    expect(wordsOf(readAloud)).toBe(script.wordCount);
    const seconds = (wordsOf(readAloud) / script.wordsPerMinute) * 60;
    expect(script.targetSeconds).toBe(minutes * 60);
    expect(seconds).toBeGreaterThanOrEqual(minutes * 60 * 0.85);
    expect(seconds).toBeLessThanOrEqual(minutes * 60 * 1.15);
    expect(Math.abs(script.estimatedSeconds - seconds)).toBeLessThanOrEqual(1);

    // Form: opening with the commune's current name, a body, a call to action, a closing.
    expect(script.commune).toEqual({ id: "cong-hoa", name: "Minh Tân" });
    expect(script.opening).toMatch(/^Kính thưa/);
    expect(script.opening).toContain("xã Minh Tân");
    expect(script.body.length).toBeGreaterThan(0);
    expect(script.callToAction.length).toBeGreaterThan(20);
    expect(script.closing).toContain("cảm ơn bà con");

    // Spoken form: numbers spelled out, no web addresses read out.
    expect(readAloud).not.toMatch(/\d/);
    expect(readAloud).not.toMatch(/https?:|www\.|\b[\w-]+\.(?:vn|com|net|org|gov)\b/i);
    expect(broadcastSourcesText(script)).toContain("KHÔNG ĐỌC");

    // Facts: every number said, and every number in the sources block, is in a cited chunk.
    expect(script.sources.length).toBeGreaterThan(0);
    script.sources.forEach((s, i) => {
      expect(s.n).toBe(i + 1);
      expect(s.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });
    expectNumbersFromSources(script);
  });

  it.each(TOPICS)("should draft the same script for «%s» and «%s»", async (plain, marked) => {
    const [a, b] = await Promise.all([draft(plain, 3), draft(marked, 3)]);
    expect(a.body).toEqual(b.body);
    expect(a.title).toBe(b.title);
  });

  it("should make longer scripts for longer times", async () => {
    const [one, three, five] = await Promise.all([1, 3, 5].map((m) => draft("lua dao truc tuyen", m)));
    expect(one!.wordCount).toBeLessThan(three!.wordCount);
    expect(three!.wordCount).toBeLessThan(five!.wordCount);
  });

  it("should fit the time at another reading rate", async () => {
    const slow = createBroadcaster({ engine, wordsPerMinute: 120 });
    const outcome = await slow.draft({ topic: "tat song 2g", minutes: 3 });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.script.wordsPerMinute).toBe(120);
    expect(outcome.script.wordCount).toBeGreaterThanOrEqual(360 * 0.85);
    expect(outcome.script.wordCount).toBeLessThanOrEqual(360 * 1.15);
  });
});

describe("draft: dates and caveats as of today", () => {
  it("should say the smartphone programme ended on 31/12/2025, even in one minute", async () => {
    const script = await draft("ho tro dien thoai thong minh", 1);
    expect(broadcastReadAloudText(script)).toContain("đã kết thúc ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi lăm");
  });

  it("should say the final 2G shutdown date has passed, even in one minute", async () => {
    const text = broadcastReadAloudText(await draft("tat song 2g", 1));
    expect(text).toContain("sau ngày mười lăm tháng chín năm hai nghìn không trăm hai mươi sáu");
    expect(text).toContain("đã qua");
  });

  it("should read the plan's figures as targets set for 2025, not results", async () => {
    const script = await draft("ke hoach xa", 3);
    const text = broadcastReadAloudText(script);
    expect(text).toContain("mục tiêu đặt ra đến năm hai nghìn không trăm hai mươi lăm");
    expect(text).toContain("không phải kết quả");
    expect(text).toContain("Kế hoạch đặt mục tiêu: số thuê bao băng rộng di động đạt tám mươi lăm thuê bao trên một trăm dân");
    expect(script.sources.some((s) => s.docId === "ke-hoach-ha-tang-so-cong-hoa-2025")).toBe(true);
  });

  it("should use the other commune's plan and names when asked for it", async () => {
    const script = await draft("ke hoach xa", 3, { commune: "phu-tan" });
    expect(script.commune).toEqual({ id: "phu-tan", name: "Tân Phú Đông" });
    expect(script.opening).toContain("Kính thưa bà con nhân dân xã Tân Phú Đông, trong đó có bà con xã Phú Tân cũ");
    const docs = script.sources.map((s) => s.docId);
    expect(docs).toContain("ke-hoach-ha-tang-so-phu-tan-2025");
    expect(docs).not.toContain("ke-hoach-ha-tang-so-cong-hoa-2025");
    expectNumbersFromSources(script);
  });

  it("should take the commune named in the topic", async () => {
    const script = await draft("ke hoach xa phu tan", 1);
    expect(script.commune.id).toBe("phu-tan");
  });

  it("should name the audience in the opening, and no longer warn staff about the new commune name once it is verified", async () => {
    const script = await draft("lua dao", 1, { audience: "các cụ cao tuổi" });
    expect(script.opening).toContain("đặc biệt là các cụ cao tuổi");
    // communes.yaml: both mergers are confirmed from the resolutions (NQ 1674, NQ 1663).
    expect(script.notes?.join("\n") ?? "").not.toContain("xác minh một phần");
    expect(script.sources[0]?.docId).toBe("xa-cong-hoa-nay");
  });
});

describe("draft: other topics and refusals", () => {
  it("should draft a free topic the knowledge covers, from its documents", async () => {
    const script = await draft("mua hàng online an toàn", 2);
    expect(script.sources.some((s) => s.docId === "ky-nang-so-mua-hang-truc-tuyen")).toBe(true);
    expect(broadcastReadAloudText(script)).not.toMatch(/\d/);
    expectNumbersFromSources(script);
  });

  it.each(["giá vàng hôm nay", "bong da", "xổ số miền bắc"])("should refuse «%s» as not covered, with a Vietnamese message", async (topic) => {
    const outcome = await broadcaster.draft({ topic, minutes: 3 });
    expect(outcome).toMatchObject({ ok: false, reason: "topic_not_covered" });
    if (!outcome.ok) {
      expect(outcome.message).toContain(`«${topic}»`);
      expect(outcome.message).toContain("chưa có tài liệu");
    }
  });

  it.each([
    [{ topic: "tat song 2g", minutes: 0 }],
    [{ topic: "tat song 2g", minutes: 16 }],
    [{ topic: "a", minutes: 3 }],
    [{ topic: "x".repeat(201), minutes: 3 }],
    [{ topic: "tat song 2g", minutes: 3, commune: "ha-noi" }],
    [{ topic: "tat song 2g", minutes: Number.NaN }],
  ])("should refuse the invalid request %j", async (request) => {
    const outcome = await broadcaster.draft(request);
    expect(outcome).toMatchObject({ ok: false, reason: "invalid_request" });
  });

  it("should read the engine's knowledge at each draft (a re-index takes effect at once)", async () => {
    let knowledge = engine.knowledge;
    const live: BroadcastEngine = {
      answer: (r) => engine.answer(r),
      get knowledge() {
        return knowledge;
      },
      defaultCommune: engine.defaultCommune,
    };
    const b = createBroadcaster({ engine: live });
    expect((await b.draft({ topic: "tat song 2g", minutes: 1 })).ok).toBe(true);
    const without2g = new Set(["lo-trinh-tat-song-2g", "dien-thoai-sau-khi-tat-2g", "ho-tro-doi-may-2g-len-4g"]);
    knowledge = { ...engine.knowledge, chunks: engine.knowledge.chunks.filter((c) => !without2g.has(c.docId) && !c.faq) };
    expect(await b.draft({ topic: "tat song 2g", minutes: 1 })).toMatchObject({ ok: false, reason: "topic_not_covered" });
  });
});

describe("spokenNumbers (the test's own reader)", () => {
  it("should read back numbers, dates and dialled numbers", () => {
    const found = spokenNumbers("Từ ngày mười hai tháng mười hai năm hai nghìn không trăm hai mươi hai, hộ nhận năm trăm nghìn đồng, gọi một một ba, đạt mười hai phẩy tám phần trăm.");
    expect(found.map((n) => n.value)).toEqual(["12", "12", "2022", "500000", "113", "12.8"]);
  });
});
