/**
 * UsageStatistics over the store's connection: what the console's statistics page shows. Days
 * are Vietnam calendar days: UTC+7 all year (no daylight saving).
 */
import type Database from "better-sqlite3";
import type { AnswerKindStored, UsageStatistics, UsageStats } from "../../core/store.js";
import { fold } from "../../core/text/normalize.js";
import { DAY_MS, type MessageRow, type StoreClock } from "./rows.js";

/** Vietnam time is UTC+7 all year. */
const VN_OFFSET_MS = 7 * 60 * 60 * 1000;

export function createUsageStatistics(db: Database.Database, options: StoreClock): UsageStatistics {
  const sql = {
    statsPerDay: db.prepare<[string], { day: string; questions: number; handoffs: number }>(`
      SELECT substr(datetime(created_at, '+7 hours'), 1, 10) AS day, count(*) AS questions, sum(kind = 'handoff') AS handoffs
      FROM messages WHERE created_at >= ? GROUP BY day ORDER BY day`),
    statsByKind: db.prepare<[string], { kind: AnswerKindStored; n: number }>("SELECT kind, count(*) AS n FROM messages WHERE created_at >= ? GROUP BY kind"),
    statsBySource: db.prepare<[string], { docId: string; questions: number }>(`
      SELECT j.value AS docId, count(DISTINCT m.id) AS questions
      FROM messages m, json_each(m.sources) j WHERE m.created_at >= ? GROUP BY j.value ORDER BY questions DESC, docId`),
    statsFeedback: db.prepare<[string], { rating: string; n: number }>("SELECT rating, count(*) AS n FROM feedback WHERE created_at >= ? GROUP BY rating"),
    statsQuestions: db.prepare<[string], { question: string }>(
      "SELECT question FROM messages WHERE created_at >= ? AND question IS NOT NULL ORDER BY id DESC LIMIT 20000",
    ),
    statsLowest: db.prepare<[string, number], MessageRow>(`
      SELECT * FROM messages WHERE created_at >= ? AND confidence IS NOT NULL AND kind NOT IN ('refusal', 'flow', 'staff')
      ORDER BY confidence ASC, id DESC LIMIT ?`),
    statsQueue: db.prepare<[], { open: number; answered: number; undelivered: number }>(`
      SELECT coalesce(sum(status = 'open'), 0) AS open, coalesce(sum(status = 'answered'), 0) AS answered,
             coalesce(sum(status = 'answered' AND delivered = 0), 0) AS undelivered FROM staff_queue`),
  };

  /** The most asked questions, grouped without case, diacritics and punctuation; the first (latest) wording is shown. */
  function topQuestions(cutoff: string, top: number): UsageStats["topQuestions"] {
    const groups = new Map<string, { question: string; count: number }>();
    for (const { question } of sql.statsQuestions.all(cutoff)) {
      const k = fold(question).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
      if (!k) continue;
      const g = groups.get(k);
      if (g) g.count++;
      else groups.set(k, { question, count: 1 });
    }
    return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, top);
  }

  return {
    stats({ days, now: at = options.now(), top = 10 }) {
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError(`stats days must be 1..366, got ${days}`);
      // Day boundaries in Vietnam time: the range starts at 00:00 (UTC+7) `days - 1` days ago.
      const localToday = new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
      const startLocal = Date.parse(`${localToday}T00:00:00Z`) - (days - 1) * DAY_MS;
      const cutoff = new Date(startLocal - VN_OFFSET_MS).toISOString();
      const counted = new Map(sql.statsPerDay.all(cutoff).map((r) => [r.day, r]));
      const perDay = Array.from({ length: days }, (_, i) => {
        const day = new Date(startLocal + i * DAY_MS).toISOString().slice(0, 10);
        const row = counted.get(day);
        return { day, questions: row?.questions ?? 0, handoffs: row?.handoffs ?? 0 };
      });
      const byKind = { faq: 0, extractive: 0, generative: 0, refusal: 0, handoff: 0, flow: 0, staff: 0 } as Record<AnswerKindStored, number>;
      for (const r of sql.statsByKind.all(cutoff)) byKind[r.kind] = r.n;
      const feedback = { up: 0, down: 0 };
      for (const r of sql.statsFeedback.all(cutoff)) if (r.rating === "up" || r.rating === "down") feedback[r.rating] = r.n;
      const mostAsked = topQuestions(cutoff, top);
      const lowestConfidence = sql.statsLowest.all(cutoff, top).map((r) => ({
        messageId: r.id,
        question: r.question,
        kind: r.kind,
        confidence: r.confidence as number,
        channel: r.channel,
        createdAt: r.created_at,
      }));
      return {
        days,
        perDay,
        byKind,
        bySource: sql.statsBySource.all(cutoff),
        feedback,
        topQuestions: mostAsked,
        lowestConfidence,
        queue: sql.statsQueue.get() as UsageStats["queue"],
      };
    },
  };
}
