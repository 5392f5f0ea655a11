/**
 * npm run bench — speed and memory of the default (no LLM) pipeline, and a like-for-like
 * comparison with stock LangChain on the frozen test split.
 *
 * Measures: index build time (fresh data directory), cold start to first answer (a new process
 * with the saved index), in-process answer latency p50/p95/p99 (bench/questions.txt and the test
 * split, each question in NFC, NFD and without diacritics; repeated), peak RSS. Compares, on the
 * test split: retriever against retriever (answer-bearing hit@3: one of the three best units holds
 * an expected fact) and answer against answer (the evaluation's scorer): LangChain's BM25Retriever
 * on raw and on folded text, LangChain's EnsembleRetriever of BM25 (folded) and HNSWLib (the same
 * offline embedder), and ours. Prints a table and writes bench/results/latest.json.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { EnsembleRetriever } from "@langchain/classic/retrievers/ensemble";
import { BM25Retriever } from "@langchain/community/retrievers/bm25";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import type { Chunk } from "../src/core/knowledge/chunk.js";
import { HashedNgramEmbeddings } from "../src/core/retrieval/hashed-embeddings.js";
import { buildReport } from "../src/cli/eval-report.js";
import { EvalItemSchema, scoreItem, type EvalItem } from "../src/cli/eval-score.js";
import { loadConfig } from "../src/config.js";
import { fold } from "../src/core/text/normalize.js";
import { buildEngine, engineSettings } from "../src/app/engine.js";

const ROOT = path.resolve(import.meta.dirname, "..");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)) };
}

/** Runs `npm run ask --json` as a new process and returns its wall time in ms. */
function coldStart(env: Record<string, string>, question: string): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/ask.ts", "--json", question], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => {
      let ok = false;
      try {
        ok = code === 0 && typeof (JSON.parse(out) as { answer?: unknown }).answer === "string";
      } catch {
        ok = false;
      }
      resolve({ ms: performance.now() - started, ok });
    });
  });
}

/** A knowledge unit as the resident would read it: an FAQ entry's answer, or a passage. */
function readable(c: Chunk): string {
  return c.faq ? `${c.faq.answer}\n${c.faq.next ?? ""}` : c.text;
}

/** True when one of the item's expected phrases is in the text (case and diacritics ignored). */
function bears(item: EvalItem, text: string): boolean {
  const f = fold(text);
  return item.must_mention_any.some((m) => f.includes(fold(m)));
}

interface Contender {
  readonly name: string;
  /** The top three units for a question, as chunks. */
  top3(question: string): Promise<Chunk[]>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeat: { type: "string", default: "5" }, out: { type: "string", default: "bench/results/latest.json" }, split: { type: "string", default: "eval/test.jsonl" } } });
  const repeat = Math.max(1, Number(values.repeat) || 5);
  const base = loadConfig();
  const work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-bench-"));
  const config = { ...base, storage: { ...base.storage, DATA_DIR: work }, logging: { LOG_LEVEL: "silent" as const } };
  const log = (s: string) => process.stderr.write(`${s}\n`);

  try {
    // 1. Index build from scratch.
    log("Đo thời gian lập chỉ mục…");
    const buildStart = performance.now();
    const engine = await buildEngine(engineSettings(config));
    const buildMs = performance.now() - buildStart;

    // 2. Cold start: a new process, saved index, one question.
    log("Đo khởi động nguội…");
    const coldRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await coldStart({ DATA_DIR: work, KNOWLEDGE_DIR: config.knowledge.KNOWLEDGE_DIR, LOG_LEVEL: "silent" }, "xa cong hoa toc do bang rong di dong bao nhieu");
      if (!r.ok) throw new Error("cold-start run did not answer");
      coldRuns.push(r.ms);
    }
    const loadStart = performance.now();
    await buildEngine(engineSettings(config));
    const inProcessLoadMs = performance.now() - loadStart;

    // 3. In-process latency of the whole answer path over the fixed list and the evaluation split,
    //    every question in three spellings (NFC, NFD, no diacritics).
    const items = (await readFile(path.join(ROOT, values.split), "utf8")).split("\n").filter((l) => l.trim()).map((l) => EvalItemSchema.parse(JSON.parse(l)));
    const lines = (await readFile(path.join(ROOT, "bench/questions.txt"), "utf8")).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    const questions = [...lines, ...items.map((i) => i.question)].flatMap((q) => [q.normalize("NFC"), q.normalize("NFD"), fold(q)]);
    log(`Đo độ trễ: ${questions.length} câu × ${repeat} lượt…`);
    for (const q of questions) await engine.answer({ question: q }); // warm-up
    const ours: number[] = [];
    const kinds: Record<string, number> = {};
    for (let r = 0; r < repeat; r++) {
      for (const q of questions) {
        const t = performance.now();
        const result = await engine.answer({ question: q });
        ours.push(performance.now() - t);
        if (r === 0) kinds[result.kind] = (kinds[result.kind] ?? 0) + 1;
      }
    }

    // 4. Like for like on the evaluation split: retrievers against retrievers (answer-bearing hit@3),
    //    answers against answers (the same scorer as npm run eval).
    log("So sánh với LangChain (BM25Retriever, EnsembleRetriever BM25 + HNSWLib)…");
    const chunks = engine.knowledge.chunks;
    const byId = new Map(chunks.map((c) => [c.id, c]));
    const asDocs = (text: (c: Chunk) => string) => chunks.map((c) => new Document({ pageContent: text(c), metadata: { chunkId: c.id } }));
    const searchText = (c: Chunk) => c.faq ? `${c.searchText}\n${readable(c)}` : c.searchText;
    const bm25Raw = BM25Retriever.fromDocuments(asDocs(searchText), { k: 3 });
    const bm25Folded = BM25Retriever.fromDocuments(asDocs((c) => fold(searchText(c))), { k: 3 });
    const embeddings = new HashedNgramEmbeddings(engine.knowledge.analyzer);
    const hnsw = await HNSWLib.fromDocuments(asDocs((c) => fold(searchText(c))), embeddings);
    const ensemble = new EnsembleRetriever({ retrievers: [BM25Retriever.fromDocuments(asDocs((c) => fold(searchText(c))), { k: 3 }), hnsw.asRetriever({ k: 3 })], weights: [0.5, 0.5] });
    const fromDocs = (docs: Document[]) => docs.map((d) => byId.get(String(d.metadata.chunkId))).filter((c): c is Chunk => c !== undefined).slice(0, 3);
    const contenders: Contender[] = [
      { name: "LangChain BM25Retriever, raw text (old baseline)", top3: async (q) => fromDocs(await bm25Raw.invoke(q)) },
      { name: "LangChain BM25Retriever, folded text", top3: async (q) => fromDocs(await bm25Folded.invoke(fold(q))) },
      { name: "LangChain Ensemble (BM25 + HNSWLib), folded", top3: async (q) => fromDocs(await ensemble.invoke(fold(q))) },
      {
        name: "ours: curated matcher, then hybrid passages",
        top3: async (q) => {
          const result = await engine.answerDefault({ question: q });
          const curated = (result.diagnostics.curated ?? []).map((c) => byId.get(c.chunkId)).filter((c): c is Chunk => c !== undefined);
          const passages = result.diagnostics.hits.map((h) => byId.get(h.chunkId)).filter((c): c is Chunk => c !== undefined);
          return [...curated, ...passages].slice(0, 3);
        },
      },
    ];
    const answerable = items.filter((i) => (i.expect ?? (i.answerable ? "answer" : "decline")) === "answer");
    const comparison = [];
    for (const c of contenders) {
      let hit3 = 0;
      const rows = [];
      const ms: number[] = [];
      for (const item of items) {
        const t = performance.now();
        const top = await c.top3(item.question);
        ms.push(performance.now() - t);
        if (answerable.includes(item) && top.some((u) => bears(item, readable(u)))) hit3++;
        // A bare retriever's answer is its best unit, as it stands.
        const first = top[0];
        rows.push(scoreItem(item, { answer: first ? readable(first) : "", kind: first ? (first.faq ? "faq" : "extractive") : "handoff", sources: first ? [{ id: first.docId }] : [] }, "written"));
      }
      const report = buildReport(rows);
      comparison.push({ name: c.name, hitAt3: pct(hit3, answerable.length), answeredRight: report.overall.answer_accuracy, declinesRight: report.overall.decline_accuracy, latencyMs: stats(ms) });
    }
    const oursRows = [];
    for (const item of items) oursRows.push(scoreItem(item, await engine.answerDefault({ question: item.question }), "written"));
    const oursReport = buildReport(oursRows);
    const oursAnswer = { name: "ours: the whole answer path (npm run eval)", answeredRight: oursReport.overall.answer_accuracy, declinesRight: oursReport.overall.decline_accuracy, medianChars: oursReport.overall.median_chars };

    const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const o = stats(ours);
    const results = {
      ranAt: new Date().toISOString(),
      node: process.version,
      split: values.split,
      chunks: engine.knowledge.chunks.length,
      documents: engine.knowledge.docs.length,
      embedder: engine.index.manifest.embedder,
      indexBuildMs: Math.round(buildMs),
      coldStartMs: { runs: coldRuns.map(Math.round), median: Math.round([...coldRuns].sort((x, y) => x - y)[1] as number) },
      inProcessLoadMs: Math.round(inProcessLoadMs),
      latencyMs: o,
      answerKinds: kinds,
      peakRssMb: rssMb,
      comparison: { retrievers: comparison, ours: oursAnswer, answerableItems: answerable.length, items: items.length },
      targets: { p95Ms: 10, coldStartMs: 2000, rssMb: 250, indexBuildMs: 10_000 },
    };

    const row = (name: string, value: string, target = "") => `${name.padEnd(44)} ${value.padStart(14)}  ${target}`;
    const f = (v: number | null) => (v === null ? "–" : `${v.toFixed(1)}%`);
    const table = [
      row("chỉ số / metric", "giá trị", "mục tiêu"),
      row("tài liệu / đoạn (documents / chunks)", `${results.documents} / ${results.chunks}`),
      row("lập chỉ mục (index build)", `${results.indexBuildMs} ms`, "≤ 10000 ms"),
      row("khởi động nguội (cold start, median)", `${results.coldStartMs.median} ms`, "≤ 2000 ms"),
      row("nạp trong tiến trình (in-process load)", `${results.inProcessLoadMs} ms`),
      row(`trả lời: p50 (${o.n} lượt)`, `${o.p50.toFixed(2)} ms`),
      row("trả lời: p95", `${o.p95.toFixed(2)} ms`, "≤ 10 ms"),
      row("trả lời: p99", `${o.p99.toFixed(2)} ms`),
      row("RSS đỉnh (peak RSS)", `${rssMb} MB`, "≤ 250 MB"),
      "",
      `So sánh trên ${values.split} (${items.length} câu, ${answerable.length} cần trả lời) / like-for-like comparison:`,
      `${"".padEnd(48)}${"hit@3".padStart(8)}${"trả lời đúng".padStart(14)}${"từ chối đúng".padStart(14)}${"p95 ms".padStart(9)}`,
      ...comparison.map((c) => `${c.name.padEnd(48)}${f(c.hitAt3).padStart(8)}${f(c.answeredRight).padStart(14)}${f(c.declinesRight).padStart(14)}${c.latencyMs.p95.toFixed(2).padStart(9)}`),
      `${oursAnswer.name.padEnd(48)}${"".padStart(8)}${f(oursAnswer.answeredRight).padStart(14)}${f(oursAnswer.declinesRight).padStart(14)}`,
      "hit@3: one of the three best units holds an expected fact; a retriever's answer is its best unit as it stands.",
    ];
    process.stdout.write(`${table.join("\n")}\n`);
    await mkdir(path.dirname(path.resolve(ROOT, values.out)), { recursive: true });
    await writeFile(path.resolve(ROOT, values.out), `${JSON.stringify(results, null, 2)}\n`);
    log(`Đã ghi ${values.out}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

main().catch((err: unknown) => {
  process.stderr.write(`Lỗi: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
