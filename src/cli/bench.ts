/**
 * npm run bench — speed and memory of the default (no LLM) pipeline, and a comparison with
 * LangChain's stock BM25Retriever on the raw chunks.
 *
 * Measures: index build time (fresh data directory), cold start to first answer (a new process
 * with the saved index), in-process answer latency p50/p95/p99 over bench/questions.txt (each
 * question in NFC, NFD and without diacritics; repeated), peak RSS; hit@3 on the evaluation
 * questions that name expected sources, for both pipelines. Prints a table and writes
 * bench/results/latest.json.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { BM25Retriever } from "@langchain/community/retrievers/bm25";
import { Document } from "@langchain/core/documents";
import { loadConfig } from "../config.js";
import { fold } from "../core/text/normalize.js";
import { createEngine } from "../engine.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeat: { type: "string", default: "5" }, out: { type: "string", default: "bench/results/latest.json" } } });
  const repeat = Math.max(1, Number(values.repeat) || 5);
  const base = loadConfig();
  const work = await mkdtemp(path.join(tmpdir(), "tro-ly-so-bench-"));
  const config = { ...base, DATA_DIR: work, LOG_LEVEL: "silent" as const };
  const log = (s: string) => process.stderr.write(`${s}\n`);

  try {
    // 1. Index build from scratch.
    log("Đo thời gian lập chỉ mục…");
    const buildStart = performance.now();
    const engine = await createEngine(config);
    const buildMs = performance.now() - buildStart;

    // 2. Cold start: a new process, saved index, one question.
    log("Đo khởi động nguội…");
    const coldRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await coldStart({ DATA_DIR: work, KNOWLEDGE_DIR: config.KNOWLEDGE_DIR, LOG_LEVEL: "silent" }, "xa cong hoa toc do bang rong di dong bao nhieu");
      if (!r.ok) throw new Error("cold-start run did not answer");
      coldRuns.push(r.ms);
    }
    const loadStart = performance.now();
    await createEngine(config);
    const inProcessLoadMs = performance.now() - loadStart;

    // 3. In-process latency over the fixed list, every question in three spellings.
    const lines = (await readFile(path.join(ROOT, "bench/questions.txt"), "utf8")).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    const questions = lines.flatMap((q) => [q, q.normalize("NFD"), fold(q)]);
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

    // 4. Baseline: LangChain's stock BM25Retriever over the raw chunk text.
    const docs = engine.knowledge.chunks.map((c) => new Document({ pageContent: c.searchText, metadata: { docId: c.docId, chunkId: c.id } }));
    const baseline = BM25Retriever.fromDocuments(docs, { k: 3 });
    const baselineMs: number[] = [];
    for (const q of questions) await baseline.invoke(q);
    for (let r = 0; r < repeat; r++) {
      for (const q of questions) {
        const t = performance.now();
        await baseline.invoke(q);
        baselineMs.push(performance.now() - t);
      }
    }

    // 5. hit@3 on evaluation questions that name their expected sources.
    const evalRows = (await readFile(path.join(ROOT, "eval/questions.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { question: string; answerable: boolean; expected_sources?: string[] })
      .filter((q) => q.answerable && q.expected_sources?.length);
    let oursHit = 0;
    let baseHit = 0;
    for (const q of evalRows) {
      const expected = q.expected_sources as string[];
      const a = await engine.answer({ question: q.question });
      if (a.sources.slice(0, 3).some((s) => expected.includes(s.id))) oursHit++;
      const b = await baseline.invoke(q.question);
      if (b.slice(0, 3).some((d) => expected.includes(String(d.metadata.docId)))) baseHit++;
    }

    const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const o = stats(ours);
    const b = stats(baselineMs);
    const hit = (n: number) => (evalRows.length ? Math.round((1000 * n) / evalRows.length) / 10 : null);
    const ratio = (x: number, y: number) => (y === 0 ? null : Math.round((x / y) * 100) / 100);
    const results = {
      ranAt: new Date().toISOString(),
      node: process.version,
      chunks: engine.knowledge.chunks.length,
      documents: engine.knowledge.docs.length,
      embedder: engine.index.manifest.embedder,
      indexBuildMs: Math.round(buildMs),
      coldStartMs: { runs: coldRuns.map(Math.round), median: Math.round([...coldRuns].sort((x, y) => x - y)[1] as number) },
      inProcessLoadMs: Math.round(inProcessLoadMs),
      latencyMs: o,
      answerKinds: kinds,
      peakRssMb: rssMb,
      baseline: {
        name: "LangChain BM25Retriever (stock, raw chunks)",
        latencyMs: b,
        hitAt3: hit(baseHit),
      },
      hitAt3: hit(oursHit),
      evalQuestionsWithSources: evalRows.length,
      ratios: { hitAt3OursOverBaseline: ratio(oursHit, baseHit), p50OursOverBaseline: ratio(o.p50, b.p50), p95OursOverBaseline: ratio(o.p95, b.p95) },
      targets: { p95Ms: 20, coldStartMs: 3000, rssMb: 300, indexBuildMs: 10_000 },
    };

    const row = (name: string, value: string, target = "") => `${name.padEnd(38)} ${value.padStart(14)}  ${target}`;
    const table = [
      row("chỉ số / metric", "giá trị", "mục tiêu"),
      row("tài liệu / đoạn (documents / chunks)", `${results.documents} / ${results.chunks}`),
      row("lập chỉ mục (index build)", `${results.indexBuildMs} ms`, "≤ 10000 ms"),
      row("khởi động nguội (cold start, median)", `${results.coldStartMs.median} ms`, "≤ 3000 ms"),
      row("nạp trong tiến trình (in-process load)", `${results.inProcessLoadMs} ms`),
      row(`độ trễ p50 (${o.n} câu)`, `${o.p50.toFixed(2)} ms`),
      row("độ trễ p95", `${o.p95.toFixed(2)} ms`, "≤ 20 ms"),
      row("độ trễ p99", `${o.p99.toFixed(2)} ms`),
      row("RSS đỉnh (peak RSS)", `${rssMb} MB`, "≤ 300 MB"),
      "",
      row("so sánh / comparison", "hybrid (ours)", "BM25Retriever stock   tỉ lệ (ours/stock)"),
      row(`hit@3 (${evalRows.length} câu có nguồn)`, `${hit(oursHit) ?? "–"}%`, `${String(hit(baseHit) ?? "–").padStart(8)}%              ${results.ratios.hitAt3OursOverBaseline ?? "–"}`),
      row("độ trễ p50", `${o.p50.toFixed(2)} ms`, `${b.p50.toFixed(2).padStart(8)} ms            ${results.ratios.p50OursOverBaseline ?? "–"}`),
      row("độ trễ p95", `${o.p95.toFixed(2)} ms`, `${b.p95.toFixed(2).padStart(8)} ms            ${results.ratios.p95OursOverBaseline ?? "–"}`),
    ];
    process.stdout.write(`${table.join("\n")}\n`);
    await mkdir(path.dirname(path.resolve(ROOT, values.out)), { recursive: true });
    await writeFile(path.resolve(ROOT, values.out), `${JSON.stringify(results, null, 2)}\n`);
    log(`Đã ghi ${values.out}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Lỗi: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
