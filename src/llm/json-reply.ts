import type { ZodType } from "zod/v4";

export type JsonReply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly detail: string };

/**
 * Parses a model's reply as one JSON object validated by `schema`. Local models wrap JSON in
 * ```json fences, add a sentence before it, or think aloud in <think> blocks first: all of that is
 * tolerated; anything else is "malformed" (never guessed at).
 */
export function parseJsonReply<T>(text: string, schema: ZodType<T>): JsonReply<T> {
  let s = text.replace(/<think>[\s\S]*?<\/think>/gi, "").trim();
  const fence = /```(?:json|JSON)?\s*([\s\S]*?)```/.exec(s);
  if (fence?.[1]) s = fence[1].trim();
  const start = s.indexOf("{");
  const end = s.lastIndexOf("}");
  if (start < 0 || end <= start) return { ok: false, detail: "no JSON object in the reply" };
  let data: unknown;
  try {
    data = JSON.parse(s.slice(start, end + 1));
  } catch (err) {
    return { ok: false, detail: `invalid JSON: ${(err as Error).message.slice(0, 120)}` };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { ok: false, detail: `unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ").slice(0, 200)}` };
  return { ok: true, value: parsed.data };
}
