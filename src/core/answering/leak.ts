/**
 * A last check on a model's answer: it must not repeat the assistant's own instructions (the
 * prompt files) or a secret from the configuration. A prompt-injection that talks the model into
 * "printing its system prompt" then falls back to the default answer instead of reaching a
 * resident. Instructions are compared as folded 8-word runs (case, diacritics and punctuation
 * ignored); runs that also occur in the cited knowledge are allowed, so quoting a document that
 * happens to share a phrase with a prompt is not a leak.
 */
import { fold } from "../text/normalize.js";

const RUN = 8;

function words(text: string): string[] {
  return fold(text)
    .replace(/\{\{[^}]*\}\}/g, " ")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function runs(text: string): Set<string> {
  const w = words(text);
  const out = new Set<string>();
  for (let i = 0; i + RUN <= w.length; i++) out.add(w.slice(i, i + RUN).join(" "));
  return out;
}

export interface LeakCheck {
  /** What leaked ("instructions" or "secret"), or null. `evidence` is the text the model was shown as knowledge. */
  check(answer: string, evidence: string): "instructions" | "secret" | null;
}

/**
 * `instructions`: the prompt texts (placeholders are ignored); `secrets`: configuration values
 * that must never appear (API keys, tokens; values shorter than 8 characters are ignored).
 */
export function createLeakCheck(instructions: readonly string[], secrets: readonly string[] = []): LeakCheck {
  const known = new Set<string>();
  for (const text of instructions) for (const run of runs(text)) known.add(run);
  const hidden = secrets.filter((s) => s.length >= 8);
  return {
    check(answer, evidence) {
      if (hidden.some((s) => answer.includes(s))) return "secret";
      if (known.size === 0) return null;
      const allowed = runs(evidence);
      for (const run of runs(answer)) if (known.has(run) && !allowed.has(run)) return "instructions";
      return null;
    },
  };
}
