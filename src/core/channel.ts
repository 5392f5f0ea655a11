/**
 * The messaging channels a resident writes from, in a leaf module: the job queue port
 * (core/jobs.ts) names them without importing core/store.ts, which imports the job queue.
 * `Channel` in core/store.ts is the same union (tests/system/no-import-cycles.test.ts checks it).
 */
export type Channel = "telegram" | "zalo" | "web";

/** A resident as a channel knows them: the channel and its own user id (never stored raw). */
export interface Resident {
  readonly channel: Channel;
  /** The channel's own user id (Telegram user id, Zalo user id, a web page's session id). */
  readonly channelUserId: string;
}
