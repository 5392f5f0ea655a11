import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { KnowledgeFile } from "../core/knowledge/parse.js";

/** The raw contents of the knowledge folder: Markdown documents and the two data files. */
export interface KnowledgeFolder {
  readonly documents: KnowledgeFile[];
  readonly lexicon: KnowledgeFile;
  readonly communes: KnowledgeFile;
}

export const LEXICON_FILE = "lexicon.yaml";
export const COMMUNES_FILE = "communes.yaml";

async function walk(dir: string, root: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, root, out);
    else if (entry.isFile() && entry.name.endsWith(".md") && entry.name.toLowerCase() !== "readme.md") {
      out.push(path.relative(root, full));
    }
  }
}

/** Reads every `*.md` (except README.md) under `dir`, sorted by path, plus lexicon and communes. */
export async function readKnowledgeFolder(dir: string): Promise<KnowledgeFolder> {
  const paths: string[] = [];
  await walk(dir, dir, paths);
  paths.sort();
  const read = async (rel: string): Promise<KnowledgeFile> => ({
    path: rel.split(path.sep).join("/"),
    text: await readFile(path.join(dir, rel), "utf8"),
  });
  return {
    documents: await Promise.all(paths.map(read)),
    lexicon: await read(LEXICON_FILE),
    communes: await read(COMMUNES_FILE),
  };
}
