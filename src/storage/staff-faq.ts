/**
 * Writing the officials' own FAQ file (`knowledge/faq/cua-can-bo-xa.md`) from the console: a
 * staff answer becomes a question–answer entry that the next re-index makes answerable.
 *
 * The entry is appended in the file's format: `## question` (written by staff for everyone,
 * never a resident's own words: one with a name, house number or hamlet is refused), a
 * paraphrase typed without diacritics, the answer, and a `Nguồn:` line naming the commune
 * office that answered and the date, so residents see the office cited, without a link. Who
 * answered is kept in an HTML comment for the officials. Phone, ID and account numbers are
 * masked as everywhere else. The file is replaced atomically (write aside, then rename).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../core/errors.js";
import { findPersonalDetails } from "../core/privacy/depersonalize.js";
import { maskSensitive } from "../core/privacy/mask.js";
import { fold } from "../core/text/normalize.js";

/** The officials' FAQ file, relative to the knowledge folder. */
export const STAFF_FAQ_FILE = path.join("faq", "cua-can-bo-xa.md");

export interface StaffFaqInput {
  readonly question: string;
  readonly answer: string;
  /** Username of the staff member who wrote the answer (kept in a comment, not shown). */
  readonly staff: string;
  /** Who answered, as residents see it cited: "Ủy ban nhân dân xã Cộng Hòa". */
  readonly office: string;
  readonly date: Date;
}

/** Markdown-safe text: no heading marks, no line read as a source line, tidy blank lines. */
function safeBlock(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/^\s*#+\s*/, "").replace(/^(\s*)nguồn\s*:/iu, "$1Nguồn tham khảo:"))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** dd/mm/yyyy in Vietnam time. */
function vnDate(d: Date): string {
  const local = new Date(d.getTime() + 7 * 60 * 60 * 1000);
  const dd = String(local.getUTCDate()).padStart(2, "0");
  const mm = String(local.getUTCMonth() + 1).padStart(2, "0");
  return `${dd}/${mm}/${local.getUTCFullYear()}`;
}

/** The Markdown of one entry (starts with a blank line). */
export function staffFaqEntry(input: StaffFaqInput): string {
  const question = maskSensitive(input.question.normalize("NFC").replace(/\s+/g, " ").replace(/^#+\s*/, "").trim());
  const answer = safeBlock(maskSensitive(input.answer));
  const staff = input.staff.replace(/[^\p{L}\p{N}._-]+/gu, "").slice(0, 64);
  // One line, and nothing the "Nguồn:" line would read as a document id or a second source.
  const office = input.office.normalize("NFC").replace(/[\s;›<>]+/g, " ").trim().slice(0, 120);
  if (question.length < 5) throw new AppError("INVALID_BODY", "FAQ question too short");
  if (answer.length < 5) throw new AppError("INVALID_BODY", "FAQ answer too short");
  if (office.length < 5) throw new AppError("INVALID_BODY", "FAQ office missing");
  // The console checks first, with the resident's question at hand; this is the last guard.
  if (findPersonalDetails(question).length > 0) throw new AppError("INVALID_BODY", "FAQ question has personal details");
  const plain = fold(question).replace(/\s+/g, " ").trim();
  const paraphrases = plain !== question.toLowerCase() ? `\n- ${plain}\n` : "";
  const date = vnDate(input.date);
  return `\n## ${question}\n${paraphrases}\n${answer}\n\nNguồn: ${office}, trả lời của cán bộ, ${date}\n\n<!-- cán bộ trả lời: ${staff}, ${date} -->\n`;
}

/**
 * Appends the entry to `<knowledgeDir>/faq/cua-can-bo-xa.md` and returns the previous content
 * (to put back if the re-index refuses the new file).
 */
export async function appendStaffFaq(knowledgeDir: string, input: StaffFaqInput): Promise<{ file: string; previous: string }> {
  const file = path.join(knowledgeDir, STAFF_FAQ_FILE);
  const previous = await readFile(file, "utf8");
  await replaceFile(file, `${previous.replace(/\s*$/, "\n")}${staffFaqEntry(input)}`);
  return { file, previous };
}

/** Writes `text` to `file` atomically. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, "utf8");
  await rename(tmp, file);
}
