/**
 * Splits Vietnamese prose into sentences: after ". ! ? ;" followed by a space and a capital
 * letter, digit or opening bracket/quote, and at line breaks. Decimal points, dates
 * ("10/11"), amounts ("500.000") and "./." endings stay inside their sentence.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    const parts = line.split(/(?<=[.!?…;])\s+(?=[\p{Lu}\p{N}"“([-])/u);
    for (const p of parts) {
      const s = p.trim();
      if (s) out.push(s);
    }
  }
  return out;
}
