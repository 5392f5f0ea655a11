/**
 * npm run index [-- --force] — checks the knowledge folder and (re)builds the search index in
 * DATA_DIR. Without --force the saved index is reused when nothing changed.
 */
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { AppError } from "../core/errors.js";
import { buildEngine, engineSettings } from "../app/engine.js";
import { stderrProgress } from "./progress.js";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { force: { type: "boolean", default: false } } });
  const config = loadConfig();
  const settings = engineSettings(config);
  if (values.force) await rm(settings.indexDir, { recursive: true, force: true });
  const started = performance.now();
  const engine = await buildEngine(settings, { onProgress: stderrProgress() });
  if (engine.index.unsaved) throw new AppError("INDEX_BUILD_FAILED", `the rebuilt index could not be saved: ${engine.index.unsaved}`);
  const kinds = new Map<string, number>();
  for (const d of engine.knowledge.docs) kinds.set(d.meta.kind, (kinds.get(d.meta.kind) ?? 0) + 1);
  process.stdout.write(
    [
      `Tài liệu: ${engine.knowledge.docs.length} (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(", ")})`,
      `Đoạn đã lập chỉ mục: ${engine.knowledge.chunks.length}`,
      `Vectơ nhúng: ${engine.index.manifest.embedder} (${engine.index.manifest.dimensions} chiều)`,
      `Chỉ mục: ${engine.index.rebuilt ? "vừa lập lại" : "không đổi, dùng bản đã lưu"} — ${settings.indexDir}`,
      ...(engine.index.damage ? [`Chỉ mục đã lưu bị hỏng nên đã lập lại: ${engine.index.damage}`] : []),
      `Thời gian: ${Math.round(performance.now() - started)} ms`,
    ].join("\n") + "\n",
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`Lỗi: ${err instanceof AppError ? `${err.code}: ${err.message}` : ((err as Error)?.stack ?? String(err))}\n`);
  process.exit(1);
});
