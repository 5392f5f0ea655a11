import { z } from "zod/v4";
import { SourceSchema } from "./schema.js";
import { fold, tokenize } from "../text/normalize.js";

/** One commune the deployment serves, as described in `knowledge/communes.yaml`. */
export const CommuneSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  /** Name as residents write it ("Cộng Hòa"). */
  name: z.string().trim().min(2),
  /** The administrative unit the plan was written for, before the 2025 reorganisation. */
  former_unit: z.string().trim().min(3),
  /** The unit it belongs to today, if known, and how sure that is. */
  current_unit: z.string().trim().min(3).optional(),
  current_unit_status: z.enum(["xác minh", "xác minh một phần", "chưa xác minh"]).optional(),
  /** Id of the commune's infrastructure plan in the knowledge folder. */
  plan_id: z.string().min(3),
  /** Office(s) the plan names as focal point for residents' questions. */
  focal_offices: z.array(z.string().trim().min(3)).min(1),
  /** Ways residents name it, with or without diacritics (old and new names). */
  aliases: z.array(z.string().trim().min(2)).min(1),
  sources: z.array(SourceSchema).min(1),
});
export type Commune = z.infer<typeof CommuneSchema>;

export const CommunesFileSchema = z.object({ communes: z.array(CommuneSchema).min(1) });

/** Finds which commune a question names, by its aliases; returns the alias span to strip. */
export interface CommuneDirectory {
  readonly all: readonly Commune[];
  get(id: string): Commune | undefined;
  /** The commune named in folded tokens (first mention wins) and the token span of the name. */
  detect(tokens: readonly string[]): { commune: Commune; start: number; end: number } | null;
}

export function createCommuneDirectory(communes: readonly Commune[]): CommuneDirectory {
  const aliases = communes
    .flatMap((c) => c.aliases.map((a) => ({ commune: c, seq: tokenize(fold(a)) })))
    .filter((a) => a.seq.length > 0)
    .sort((a, b) => b.seq.length - a.seq.length);
  return {
    all: communes,
    get: (id) => communes.find((c) => c.id === id),
    detect(tokens) {
      let best: { commune: Commune; start: number; end: number } | null = null;
      for (const { commune, seq } of aliases) {
        for (let i = 0; i + seq.length <= tokens.length; i++) {
          if (seq.every((t, j) => tokens[i + j] === t)) {
            if (!best || i < best.start) best = { commune, start: i, end: i + seq.length };
            break;
          }
        }
      }
      return best;
    },
  };
}
