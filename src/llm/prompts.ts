import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../core/errors.js";
import type { PromptName, PromptSet, PromptValues } from "../core/ports.js";

/** The placeholders each prompt file must contain (all of them, and no others). */
export const PROMPT_PLACEHOLDERS: { readonly [N in PromptName]: ReadonlyArray<keyof PromptValues[N] & string> } = {
  system: ["commune", "today"],
  answer: ["context", "question"],
  retry: ["violation"],
  rewrite: ["history", "question"],
  broadcast: ["commune", "today", "topic", "words", "audience", "sources"],
};

export const PROMPT_NAMES = Object.keys(PROMPT_PLACEHOLDERS) as PromptName[];

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;
/** Notes for whoever edits a prompt file; never sent to the model. */
const COMMENT = /<!--[\s\S]*?-->/g;

/**
 * Checks prompt texts and returns the set that renders them. Throws CONFIG_INVALID naming the
 * prompt and the missing or unknown placeholder.
 */
export function createPromptSet(texts: Readonly<Record<PromptName, string>>): PromptSet {
  const templates = {} as Record<PromptName, string>;
  const problems: string[] = [];
  for (const name of PROMPT_NAMES) {
    const text = (texts[name] ?? "").replace(COMMENT, "").trim();
    const expected: readonly string[] = PROMPT_PLACEHOLDERS[name];
    const used = new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string));
    if (!text) problems.push(`prompts/${name}.md is empty`);
    for (const p of expected) if (!used.has(p)) problems.push(`prompts/${name}.md: missing placeholder {{${p}}}`);
    for (const p of used) if (!expected.includes(p)) problems.push(`prompts/${name}.md: unknown placeholder {{${p}}} (allowed: ${expected.join(", ")})`);
    templates[name] = text;
  }
  if (problems.length) throw new AppError("CONFIG_INVALID", `invalid prompts: ${problems.join("; ")}`);
  return {
    render(name, values) {
      const map = values as unknown as Record<string, string>;
      // One pass: a value that happens to contain "{{…}}" is not expanded again.
      return templates[name].replace(PLACEHOLDER, (_m, key: string) => map[key] ?? "");
    },
  };
}

/** Reads `<dir>/<name>.md` for every prompt and checks them (see createPromptSet). */
export async function loadPrompts(dir: string): Promise<PromptSet> {
  const texts = {} as Record<PromptName, string>;
  for (const name of PROMPT_NAMES) {
    try {
      texts[name] = await readFile(path.join(dir, `${name}.md`), "utf8");
    } catch (err) {
      throw new AppError("CONFIG_INVALID", `PROMPTS_DIR: cannot read ${name}.md (${(err as NodeJS.ErrnoException).code ?? "error"})`, { cause: err });
    }
  }
  return createPromptSet(texts);
}

/** Every prompt's fixed text (placeholders left empty): what a model must never repeat to residents. */
export function instructionTexts(prompts: PromptSet): string[] {
  return PROMPT_NAMES.map((name) => {
    const values = Object.fromEntries(PROMPT_PLACEHOLDERS[name].map((key) => [key, ""]));
    return prompts.render(name, values as never);
  });
}
