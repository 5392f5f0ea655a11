import { z } from "zod/v4";

/** Kinds of knowledge documents. */
export const DOC_KINDS = ["plan", "law", "roadmap", "guide", "faq", "context"] as const;
export type DocKind = (typeof DOC_KINDS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "expected a lowercase slug like tt14-2022");

/** One source of a knowledge file: what it is, where it is, and its date (null when unknown). */
export const SourceSchema = z.object({
  name: z.string().trim().min(3),
  url: z.url({ protocol: /^https?$/ }).nullable().default(null),
  date: isoDate.nullable(),
  /** Optional pointer inside the source (article, section, page). */
  section: z.string().trim().min(1).optional(),
});
export type Source = z.infer<typeof SourceSchema>;

/** YAML front matter of every knowledge file. */
export const FrontMatterSchema = z.object({
  id: slug,
  title: z.string().trim().min(3),
  /** Compact title used in citations ("Kế hoạch xã Cộng Hòa"); defaults to `title`. */
  short_title: z.string().trim().min(3).optional(),
  kind: z.enum(DOC_KINDS),
  source: z.union([SourceSchema, z.array(SourceSchema).min(1)]).transform((s) => (Array.isArray(s) ? s : [s])),
  /** The date the content is current as of. */
  as_of: isoDate,
  commune: slug.optional(),
  /** Language of the document: Vietnamese unless stated ("en" for the English FAQ). */
  lang: z.enum(["vi", "en"]).default("vi"),
  topics: z.array(slug).min(1),
  /**
   * A standing caveat shown under any answer quoted from this document, e.g. that the programme
   * it describes has ended: quoted rules must not read as if they still applied today.
   */
  notice: z.string().trim().min(10).optional(),
  /** What was changed when the document was brought in (for faithfully copied documents). */
  edits: z.array(z.string().trim().min(1)).optional(),
});
export type FrontMatter = z.infer<typeof FrontMatterSchema>;
