/** Reading rate of broadcast scripts (its own module so that config can import it cheaply). */

/**
 * Default reading rate, in words (Vietnamese syllables, "tiếng") per minute: 180, i.e. three
 * syllables a second. This is an assumption, not a published standard: no published figure for
 * Vietnamese radio or loudspeaker reading was found. The one published measurement found,
 * Coupé, Oh, Dediu & Pellegrino (2019), "Different languages, similar encoding efficiency",
 * Science Advances 5(9), doi:10.1126/sciadv.aaw2594, gives about 5.25 syllables a second
 * (≈ 315 a minute) for Vietnamese texts read aloud by ordinary speakers (figure as reported in
 * press coverage of the study; the paper's tables were not checked); a loudspeaker script for
 * elderly rural listeners is read much slower, with pauses. Calibrate with
 * BROADCAST_WORDS_PER_MINUTE: time a reader on a drafted script and set wordCount ÷ minutes.
 */
export const DEFAULT_WORDS_PER_MINUTE = 180;
