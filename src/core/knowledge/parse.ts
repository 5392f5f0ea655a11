import { parse as parseYaml } from "yaml";
import { z } from "zod/v4";
import { AppError } from "../errors.js";
import { FrontMatterSchema, type FrontMatter } from "./schema.js";

/** A knowledge file as read from disk: its path relative to the knowledge folder and its text. */
export interface KnowledgeFile {
  readonly path: string;
  readonly text: string;
}

/** A parsed knowledge document: validated front matter plus its Markdown body. */
export interface KnowledgeDoc {
  readonly path: string;
  readonly meta: FrontMatter;
  readonly body: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/**
 * Parses one knowledge file. Throws AppError KNOWLEDGE_INVALID naming the file and the
 * offending front-matter keys when the file does not follow the format.
 */
export function parseKnowledgeFile(file: KnowledgeFile): KnowledgeDoc {
  const text = file.text.normalize("NFC").replace(/^\uFEFF/, "");
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    throw new AppError("KNOWLEDGE_INVALID", `${file.path}: missing YAML front matter (--- … ---)`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(match[1] as string);
  } catch (err) {
    throw new AppError("KNOWLEDGE_INVALID", `${file.path}: front matter is not valid YAML (${(err as Error).message})`);
  }
  const result = FrontMatterSchema.safeParse(raw);
  if (!result.success) {
    const keys = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AppError("KNOWLEDGE_INVALID", `${file.path}: ${keys}`);
  }
  return { path: file.path, meta: result.data, body: text.slice(match[0].length) };
}

/** Parses a YAML data file (lexicon, communes) and validates it with `schema`. */
export function parseDataFile<T extends z.ZodType>(file: KnowledgeFile, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = parseYaml(file.text.normalize("NFC"));
  } catch (err) {
    throw new AppError("KNOWLEDGE_INVALID", `${file.path}: not valid YAML (${(err as Error).message})`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const keys = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AppError("KNOWLEDGE_INVALID", `${file.path}: ${keys}`);
  }
  return result.data;
}
