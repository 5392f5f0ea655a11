import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createConfig, type Config } from "../../src/config.js";
import { buildEngine, engineSettings, type Engine } from "../../src/app/engine.js";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const KNOWLEDGE_DIR = path.join(REPO_ROOT, "knowledge");

/** A config for tests: the real knowledge folder and a fresh data directory. */
export async function testConfig(overrides: Record<string, string> = {}): Promise<{ config: Config; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-test-"));
  const config = createConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, LOG_LEVEL: "silent", ...overrides });
  return { config, dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
}

/** Builds a real engine (real HNSWLib index on disk) over the real knowledge folder. */
export async function testEngine(overrides: Record<string, string> = {}): Promise<{ engine: Engine; config: Config; dataDir: string; cleanup: () => Promise<void> }> {
  const t = await testConfig(overrides);
  const engine = await buildEngine(engineSettings(t.config));
  return { engine, ...t };
}

/**
 * A copy of the real knowledge folder without some files (paths relative to it), for tests of
 * what happens when a question is answered from the documents' passages rather than from a
 * curated entry (the language model writes only over passages).
 */
export async function knowledgeWithout(files: readonly string[]): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "tro-ly-so-knowledge-"));
  await cp(KNOWLEDGE_DIR, dir, { recursive: true });
  for (const f of files) await rm(path.join(dir, f), { force: true });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Every FAQ file but the one on the phone support: without them, plan questions are answered
 * from the plans' passages, while a phone-support question still gets its curated entry.
 */
export const FAQ_FILES_BUT_SUBSIDY = ["boi-canh-2025", "cua-can-bo-xa", "english", "ke-hoach-cong-hoa", "ke-hoach-phu-tan", "ky-nang-so", "lua-dao-truc-tuyen", "tat-song-2g"].map((f) => `faq/${f}.md`);
