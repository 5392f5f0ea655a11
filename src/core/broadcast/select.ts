/**
 * Chooses what a radio script reads (compose.ts gathers the candidates): items that fit the length
 * without repeating one another or what was already said, and the closing call to action.
 */
import { contentTokens, countWords, itemWords, repeats, type Fact, type Item } from "./facts.js";


/** Words of knowledge a sentence's facts and a prefix of an item may add. */
function prefixFitting(item: Item, room: number): Item | null {
  if (item.whole) return itemWords(item) <= room ? item : null;
  const facts: Fact[] = [];
  let words = 0;
  for (const f of item.facts) {
    const w = countWords(f.spoken);
    if (words + w > room) break;
    facts.push(f);
    words += w;
  }
  return facts.length ? { ...item, facts } : null;
}

/**
 * Picks items in priority order until the body reaches `target` words (within `slack`), skipping
 * items that repeat what is already chosen (or `alreadySaid`) or do not fit; an item may contribute its first sentences.
 */
export function selectItems(items: readonly Item[], target: number, slack: number, exclude: ReadonlySet<string>, alreadySaid: readonly string[] = []): Item[] {
  const chosen: Item[] = [];
  const seen: Set<string>[] = alreadySaid.map(contentTokens);
  let words = 0;
  for (const item of items) {
    if (words >= target - slack) break;
    const fresh = item.facts.filter((f) => !exclude.has(f.original) && !repeats(contentTokens(f.original), seen));
    if (fresh.length === 0 || (item.whole && fresh.length !== item.facts.length)) continue;
    const candidate = prefixFitting({ ...item, facts: fresh }, target + slack - words);
    if (!candidate) continue;
    chosen.push(candidate);
    for (const f of candidate.facts) seen.push(contentTokens(f.original));
    words += itemWords(candidate);
  }
  return chosen;
}

/** A whole-word pattern: JavaScript's \b does not see Vietnamese letters ("hộ", "đến") as word characters. */
function words(alternatives: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, "iu");
}

/** Knowledge sentences that tell residents what to do, what to bring or whom to ask. */
const ACTION = words("mang|hỏi|liên hệ|gọi|đến|trình báo|phản ánh|đăng ký|kiểm tra|cúp máy");
/** Said to residents: "bà con …", or a sentence about what a resident does ("Người bị lừa …", "Hộ …"). */
const ADDRESSED = /(?<![\p{L}\p{N}])bà con(?![\p{L}\p{N}])|^(?:người dân|người bị lừa|người|hộ|khách hàng|ai|khi)(?![\p{L}\p{N}])/iu;
const BRING = words("mang");
const ASK = words("hỏi|liên hệ");
const REPORT = words("gọi|trình báo|phản ánh|cúp máy");

const REGISTER = words("đăng ký|nộp");
const PLACE = words("ủy ban nhân dân xã|công an xã|cửa hàng|nhà mạng|tổ công nghệ số cộng đồng|ngân hàng");

/**
 * Chooses up to `count` call-to-action facts, each adding something the others do not say: what
 * to bring, where to register, whom to ask, what to do when in doubt.
 */
export function selectCallToAction(items: readonly Item[], count: number): Fact[] {
  const all = items.flatMap((i) => i.facts);
  const scored: Array<{ fact: Fact; score: number; order: number; kinds: Set<string> }> = [];
  all.forEach((fact, order) => {
    const t = fact.original;
    if (!ACTION.test(t) || !ADDRESSED.test(t) || /^Bước/u.test(fact.spoken) || countWords(fact.spoken) > 45) return;
    const kinds = new Set<string>();
    let score = 0;
    const kind = (pattern: RegExp, name: string, points: number) => {
      if (!pattern.test(t)) return;
      score += points;
      kinds.add(name);
    };
    kind(BRING, "bring", 3);
    kind(REGISTER, "register", 2);
    kind(ASK, "ask", 2);
    kind(REPORT, "report", 1);
    if (PLACE.test(t)) score += 1;
    // Facts from the topic's first sources are the most on topic.
    if (order < all.length / 3) score += 1;
    scored.push({ fact, score, order, kinds });
  });
  const picked: typeof scored = [];
  const covered = new Set<string>();
  const seen: Set<string>[] = [];
  while (picked.length < count) {
    let best: (typeof scored)[number] | null = null;
    let bestValue = -Infinity;
    for (const c of scored) {
      if (picked.includes(c) || repeats(contentTokens(c.fact.original), seen)) continue;
      // Saying again what another chosen sentence says counts against a sentence.
      const value = c.score - 2 * [...c.kinds].filter((k) => covered.has(k)).length;
      if (value > bestValue || (value === bestValue && best && c.order < best.order)) {
        best = c;
        bestValue = value;
      }
    }
    if (!best) break;
    picked.push(best);
    for (const k of best.kinds) covered.add(k);
    seen.push(contentTokens(best.fact.original));
  }
  // Read in the order the knowledge gives them.
  return picked.sort((a, b) => a.order - b.order).map((c) => c.fact);
}

