/**
 * npm run docs:config [-- --check]: writes the settings documentation from the schema in
 * src/config.ts, where each setting is documented once:
 *
 *   docs/configuration.md   the settings table, grouped by section, between the lines
 *                           <!-- settings-table:start --> and <!-- settings-table:end -->
 *   .env.example            every setting with its description and default, by section
 *
 * With --check it writes nothing and exits 1 when either file differs from what it would write
 * (tests/tools/config-docs.test.ts checks the same).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SECTION_TITLES, settingDocs, settingSchemas, type SectionName, type SettingDoc } from "../src/config.js";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
export const CONFIG_DOC = path.join(REPO_ROOT, "docs", "configuration.md");
export const ENV_EXAMPLE = path.join(REPO_ROOT, ".env.example");
export const TABLE_START = "<!-- settings-table:start -->";
export const TABLE_END = "<!-- settings-table:end -->";

/** One documented setting, as the generators show it. */
export interface DocumentedSetting {
  readonly key: string;
  readonly section: SectionName;
  readonly doc: SettingDoc;
  /** The default as it would be written in `.env` ("" when there is none). */
  readonly defaultValue: string;
}

/** The default of a setting's schema, written as in `.env`: a list joined by commas, "" when none. */
function envDefault(schema: { safeParse(value: unknown): { success: boolean; data?: unknown } }): string {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return "";
  return Array.isArray(parsed.data) ? parsed.data.join(",") : String(parsed.data);
}

/** Every setting with its documentation, in schema order; throws naming the settings that have none. */
export function documentedSettings(schemas = settingSchemas()): DocumentedSetting[] {
  const settings = schemas.map(({ key, section, schema }) => ({ key, section, doc: settingDocs.get(schema), defaultValue: envDefault(schema) }));
  const missing = settings.filter((s) => !s.doc?.description.trim()).map((s) => s.key);
  if (missing.length) throw new Error(`settings without documentation in src/config.ts: ${missing.join(", ")}`);
  return settings as DocumentedSetting[];
}

function bySection(settings: readonly DocumentedSetting[]): Array<[SectionName, DocumentedSetting[]]> {
  const groups = new Map<SectionName, DocumentedSetting[]>();
  for (const s of settings) groups.set(s.section, [...(groups.get(s.section) ?? []), s]);
  return [...groups];
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
/** The text ending with a full stop (descriptions are written without one). */
const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

/** The Markdown tables, one per section (what goes between the markers). */
export function settingsTable(settings = documentedSettings()): string {
  const parts: string[] = [];
  for (const [section, rows] of bySection(settings)) {
    parts.push(`### ${SECTION_TITLES[section]} — \`${section}\``, "", "| Khóa | Mặc định | Ý nghĩa |", "|---|---|---|");
    for (const { key, doc, defaultValue } of rows) {
      const shownDefault = defaultValue ? `\`${defaultValue}\`` : (doc.defaultText ?? "—");
      const text = [sentence(doc.description), doc.example ? `Ví dụ: \`${doc.example}\`.` : "", doc.secret ? "*(bí mật)*" : ""].filter(Boolean).join(" ");
      parts.push(`| \`${key}\` | ${cell(shownDefault)} | ${cell(text)} |`);
    }
    parts.push("");
  }
  return parts.join("\n").trimEnd();
}

/** `doc` with the text between the two marker lines replaced by `table`; throws when a marker is missing. */
export function replaceTable(doc: string, table: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`docs/configuration.md needs the lines ${TABLE_START} and ${TABLE_END}`);
  return `${doc.slice(0, start + TABLE_START.length)}\n${table}\n${doc.slice(end)}`;
}

/** Plain text for a `#` comment: no Markdown emphasis or code marks, wrapped at `width`. */
function comment(text: string, width = 100): string[] {
  const words = text.replace(/\*\*|`/g, "").split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "#";
  for (const word of words) {
    if (line.length + 1 + word.length > width && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  if (line !== "#") lines.push(line);
  return lines;
}

/** The whole `.env.example`. */
export function envExample(settings = documentedSettings()): string {
  const lines = [
    "# Trợ lý số xã — cấu hình. Sao chép thành .env rồi sửa (cp .env.example .env).",
    "# Để trống một dòng = dùng giá trị mặc định. Xem docs/configuration.md.",
    "# Tệp này do `npm run docs:config` viết từ src/config.ts: sửa mô tả ở đó, đừng sửa tay ở đây.",
  ];
  for (const [section, rows] of bySection(settings)) {
    lines.push("", `# ===== ${SECTION_TITLES[section]} — ${section} =====`);
    for (const { key, doc, defaultValue } of rows) {
      const text = [sentence(doc.description), doc.example ? `Ví dụ: ${doc.example}.` : ""].filter(Boolean).join(" ");
      lines.push(...comment(text), `${key}=${defaultValue}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A new docs/configuration.md: a title and the markers (the rest of the page is written by hand). */
const NEW_DOC = `# Cấu hình (\`.env\`)\n\n${TABLE_START}\n${TABLE_END}\n`;

/** What both files should hold, from the current files (docs/configuration.md keeps its hand-written parts). */
export async function expectedFiles(): Promise<{ doc: string; env: string }> {
  const current = await readFile(CONFIG_DOC, "utf8").catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? NEW_DOC : Promise.reject(err)));
  const settings = documentedSettings();
  return { doc: replaceTable(current, settingsTable(settings)), env: envExample(settings) };
}

async function main(argv: readonly string[]): Promise<number> {
  const { doc, env } = await expectedFiles();
  const targets: Array<[string, string]> = [
    [CONFIG_DOC, doc],
    [ENV_EXAMPLE, env],
  ];
  if (argv.includes("--check")) {
    const stale: string[] = [];
    for (const [file, text] of targets) if ((await readFile(file, "utf8").catch(() => null)) !== text) stale.push(path.relative(REPO_ROOT, file));
    if (stale.length) process.stderr.write(`Chưa cập nhật theo src/config.ts: ${stale.join(", ")}. Chạy: npm run docs:config\n`);
    return stale.length ? 1 : 0;
  }
  for (const [file, text] of targets) await writeFile(file, text);
  process.stdout.write(`Đã viết ${targets.map(([f]) => path.relative(REPO_ROOT, f)).join(" và ")}.\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`Lỗi: ${(err as Error)?.message ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
