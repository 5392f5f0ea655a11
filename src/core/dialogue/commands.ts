/**
 * Commands and numbers in what residents type: matched without diacritics, any case, NFC or NFD
 * ("menu" or "0", "xem du lieu", "Xóa dữ liệu", "huy", "chon xa", "quyen rieng tu", "tro giup",
 * "hoi can bo"), the same on every channel. Slash commands (Telegram) map to the same names.
 */
import { fold } from "../text/normalize.js";
import type { CommandName } from "./types.js";

const TYPED: ReadonlyArray<readonly [CommandName, readonly string[]]> = [
  ["menu", ["menu", "0", "/menu", "trang chu", "bat dau", "/start", "start"]],
  ["delete", ["xoa du lieu", "/xoadulieu", "xoadulieu", "xoa het du lieu", "xoa du lieu cua toi"]],
  ["mydata", ["xem du lieu", "/xemdulieu", "xemdulieu", "xem du lieu cua toi", "du lieu cua toi"]],
  ["cancel", ["huy", "/huy", "huy bo", "thoat", "cancel"]],
  ["privacy", ["quyen rieng tu", "/quyenriengtu", "quyenriengtu", "du lieu ca nhan"]],
  ["commune", ["chon xa", "doi xa", "/xa"]],
  ["help", ["help", "/help", "tro giup", "/trogiup", "huong dan"]],
  ["staff", ["hoi can bo", "hoi can bo xa", "gap can bo", "gap can bo xa"]],
];

/** Slash commands (Telegram), by name without the slash. */
export const SLASH_COMMANDS: Readonly<Record<string, CommandName>> = {
  start: "start",
  menu: "menu",
  help: "help",
  trogiup: "help",
  xa: "commune",
  quyenriengtu: "privacy",
  xemdulieu: "mydata",
  xoadulieu: "delete",
  huy: "cancel",
  cancel: "cancel",
};

/** Folded, punctuation as spaces, trimmed: what commands and numbers are matched on. */
export function typedKey(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N}/]+/gu, " ")
    .trim();
}

/** The command a typed key names, if any. */
export function typedCommand(key: string): CommandName | null {
  for (const [command, forms] of TYPED) if (forms.includes(key)) return command;
  return null;
}

/** "1", "1.", "số 1", " 2 " (as keys) → the number; anything else null. */
export function typedNumber(key: string): number | null {
  const m = /^(?:so )?(\d{1,3})$/.exec(key);
  return m ? Number(m[1]) : null;
}
