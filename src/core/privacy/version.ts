/**
 * The version of the privacy notice (core/privacy/notice.ts), on its own: consents record the
 * version the resident saw, and the assistant reads it without importing the notice (which
 * renders the assistant's MyData, so importing it back would make an import cycle).
 * Bump it when the notice text changes in substance.
 */

// Telling residents how to see their data (viewHow) added no processing: the version stayed.
export const NOTICE_VERSION = "2026-11-22";
