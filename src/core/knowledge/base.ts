/**
 * The loaded knowledge: the knowledge folder's files parsed, checked against each other and
 * chunked (pure; the folder is read by storage/knowledge-folder.ts).
 */
import { createHash } from "node:crypto";
import { AppError } from "../errors.js";
import { createAnalyzer, type Analyzer } from "../text/analyze.js";
import { createLexicon, LexiconDataSchema } from "../text/lexicon.js";
import { CHUNKER_VERSION, chunkDocument, type Chunk } from "./chunk.js";
import { CommunesFileSchema, createCommuneDirectory, type CommuneDirectory } from "./communes.js";
import { parseDataFile, parseKnowledgeFile, type KnowledgeDoc, type KnowledgeFile } from "./parse.js";

/** The raw files of a knowledge folder: Markdown documents, the lexicon and the communes. */
export interface KnowledgeFiles {
  readonly documents: readonly KnowledgeFile[];
  readonly lexicon: KnowledgeFile;
  readonly communes: KnowledgeFile;
}

/** The loaded knowledge: documents, chunks, communes and the analyzer built from the lexicon. */
export interface KnowledgeBase {
  readonly docs: readonly KnowledgeDoc[];
  readonly chunks: readonly Chunk[];
  readonly communes: CommuneDirectory;
  readonly analyzer: Analyzer;
  /** Digest of everything that shapes the index (files, lexicon, chunker version). */
  readonly contentHash: string;
}

/** Parses and chunks a knowledge folder's contents; throws KNOWLEDGE_INVALID naming the file. */
export function buildKnowledgeBase(folder: KnowledgeFiles): KnowledgeBase {
  const analyzer = createAnalyzer(createLexicon(parseDataFile(folder.lexicon, LexiconDataSchema)));
  const communes = createCommuneDirectory(parseDataFile(folder.communes, CommunesFileSchema).communes);
  const docs = folder.documents.map(parseKnowledgeFile);

  const seen = new Map<string, string>();
  for (const doc of docs) {
    const other = seen.get(doc.meta.id);
    if (other) throw new AppError("KNOWLEDGE_INVALID", `${doc.path}: id "${doc.meta.id}" is also used by ${other}`);
    seen.set(doc.meta.id, doc.path);
    if (doc.meta.commune && !communes.get(doc.meta.commune)) {
      throw new AppError("KNOWLEDGE_INVALID", `${doc.path}: commune "${doc.meta.commune}" is not in communes.yaml`);
    }
  }
  const chunks = docs.flatMap(chunkDocument);

  const hash = createHash("sha256");
  hash.update(`chunker:${CHUNKER_VERSION}\n`);
  hash.update(`lexicon:${analyzer.lexicon.fingerprint}\n`);
  for (const file of folder.documents) hash.update(`${file.path}\n${file.text}\n`);
  return { docs, chunks, communes, analyzer, contentHash: hash.digest("hex") };
}
