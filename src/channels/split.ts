/**
 * Splitting long replies for messengers with a per-message limit (Telegram 4,096, Zalo 2,000).
 */

/**
 * Splits escaped text into pieces of at most `limit` characters, preferring paragraph breaks,
 * then line breaks, then sentence ends, then spaces; never inside an HTML entity.
 */
export function splitMessage(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text.normalize("NFC").trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = -1;
    for (const pattern of [/\n\n(?=[^\n]*$)/, /\n(?=[^\n]*$)/, /[.!?…](?=\s[^.!?…]*$)/, /\s(?=\S*$)/]) {
      const m = pattern.exec(window);
      if (m && m.index > limit / 3) {
        cut = m.index + (pattern.source.startsWith("[.!?…]") ? 1 : 0);
        break;
      }
    }
    if (cut <= 0) {
      cut = limit;
      // Do not cut an entity such as &amp; in two.
      const amp = window.lastIndexOf("&");
      if (amp > limit - 8 && !window.slice(amp).includes(";")) cut = amp;
    }
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
