/**
 * `DATA_DIR/tro-ly-so.pid`: written by the running service (main.ts) and removed when it exits,
 * so `npm run restore` can refuse to replace the database under a live service.
 */
import { hostname } from "node:os";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod/v4";

/** File name of the pid file inside the data directory. */
export const PID_FILE = "tro-ly-so.pid";

const PidInfoSchema = z.object({ pid: z.number().int().positive(), hostname: z.string(), startedAt: z.string() });
export type PidInfo = z.infer<typeof PidInfoSchema>;

/** Records this process as the service using `dataDir` (atomic write). */
export function writePidFile(dataDir: string, pid = process.pid): string {
  const file = path.join(dataDir, PID_FILE);
  const info: PidInfo = { pid, hostname: hostname(), startedAt: new Date().toISOString() };
  const tmp = `${file}.${pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
  return file;
}

/** Removes the pid file if it still names `pid` (a newer service may have replaced it). Never throws. */
export function removePidFile(dataDir: string, pid = process.pid): void {
  try {
    if (readPidFile(dataDir)?.pid === pid) rmSync(path.join(dataDir, PID_FILE), { force: true });
  } catch {
    // Exiting anyway; a stale file is recognised as such later.
  }
}

/** The recorded service, or null when there is no (readable) pid file. */
export function readPidFile(dataDir: string): PidInfo | null {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, PID_FILE), "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = PidInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether a service may be using `dataDir`: "running" when the recorded process is alive on this
 * host, "unknown" when the file was written on another host (a container), "stale" when the
 * process is gone, "none" without a pid file.
 */
export function serviceStatus(dataDir: string): { state: "none" | "stale" | "running" | "unknown"; info: PidInfo | null; file: string } {
  const file = path.join(dataDir, PID_FILE);
  const info = readPidFile(dataDir);
  if (!info) return { state: "none", info, file };
  if (info.hostname !== hostname()) return { state: "unknown", info, file };
  if (info.pid === process.pid || info.pid === process.ppid) return { state: "stale", info, file };
  return { state: alive(info.pid) ? "running" : "stale", info, file };
}
