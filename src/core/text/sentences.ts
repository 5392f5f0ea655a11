/**
 * Splits Vietnamese prose into sentences: after ". ! ? ;" followed by a space and a capital
 * letter, digit or opening bracket/quote, and at line breaks. Decimal points, dates
 * ("10/11"), amounts ("500.000") and "./." endings stay inside their sentence.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    const parts = line.split(/(?<=[.!?…;])\s+(?=[\p{Lu}\p{N}"“([-])/u);
    let carry = "";
    for (const p of parts) {
      const s = `${carry}${p.trim()}`;
      // A list marker ("3.", "a)") or an abbreviation ("TP.") is not a sentence end: join it to
      // what follows.
      if (MARKER_ONLY.test(s) || ABBREVIATION_END.test(s)) {
        carry = `${s} `;
        continue;
      }
      carry = "";
      if (s) out.push(s);
    }
    if (carry.trim()) out.push(carry.trim());
  }
  return out;
}

const MARKER_ONLY = /^(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]$/u;
const ABBREVIATION_END = /(?:^|\s)(?:TP|TT|Tp|ThS|TS|PGS|GS|Q|P|St|Th)\.$/u;
