/**
 * Entities a question names, read from folded words: carriers, the kind of phone, and whether
 * it tells of being scammed. They steer the choice between close curated answers (a MobiFone
 * question must not get a Viettel-only answer) and the topic of a hand-off.
 */

/** Mobile network operators residents name, by their usual spellings (folded). */
const CARRIERS: ReadonlyArray<{ id: string; forms: readonly string[][] }> = [
  { id: "viettel", forms: [["viettel"], ["vietel"], ["viet", "tel"]] },
  { id: "vinaphone", forms: [["vinaphone"], ["vina"], ["vnpt"], ["vina", "phone"]] },
  { id: "mobifone", forms: [["mobifone"], ["mobiphone"], ["mobi"], ["mobi", "fone"]] },
  { id: "vietnamobile", forms: [["vietnamobile"], ["vietnam", "mobile"]] },
  { id: "gmobile", forms: [["gmobile"], ["gtel"]] },
];

export type PhoneKind = "2g_only" | "4g_no_volte" | "smartphone";

/** What a question names. */
export interface Entities {
  readonly carriers: readonly string[];
  readonly phone: PhoneKind | null;
  /** The resident says they were scammed or lost money ("bị lừa", "mất tiền", "lỡ chuyển"). */
  readonly victim: boolean;
}

function find(words: readonly string[], seq: readonly string[]): boolean {
  outer: for (let i = 0; i + seq.length <= words.length; i++) {
    for (let j = 0; j < seq.length; j++) if (words[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

const VICTIM = [["bi", "lua"], ["mat", "tien"], ["lo", "chuyen"], ["da", "chuyen", "tien"], ["lo", "doc"], ["lo", "bam"], ["lo", "cai"], ["bi", "chiem", "doat"], ["bi", "hack"], ["bi", "mat", "tai", "khoan"], ["got", "scammed"], ["was", "scammed"], ["been", "scammed"], ["lost", "money"]];

/** Reads the entities of a question from its folded, abbreviation-expanded words. */
export function detectEntities(words: readonly string[]): Entities {
  const carriers = CARRIERS.filter((c) => c.forms.some((f) => find(words, f))).map((c) => c.id);
  let phone: PhoneKind | null = null;
  const has = (s: string) => find(words, s.split(" "));
  if (has("volte") && (has("khong co volte") || has("khong ho tro volte") || has("khong volte") || has("chua co volte") || has("without volte") || has("no volte"))) phone = "4g_no_volte";
  else if (has("cuc gach") || has("phim bam") || has("2g only") || has("chi co 2g") || has("chi dung 2g") || has("may 2g") || has("dien thoai 2g") || has("ban phim")) phone = "2g_only";
  else if (has("dien thoai thong minh") || has("smartphone") || has("cam ung")) phone = "smartphone";
  return { carriers, phone, victim: VICTIM.some((v) => find(words, v)) };
}
