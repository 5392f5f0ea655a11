/** What the console needs from the rest of the service (narrow, so tests can pass fakes). */
import type { Logger } from "pino";
import type { AnswerRequest, AnswerResult } from "../../../core/answering/answer-question.js";
import type { CommuneDirectory } from "../../../core/knowledge/communes.js";
import type { KnowledgeDoc } from "../../../core/knowledge/parse.js";
import type { ProgressReporter } from "../../../core/ports.js";
import type { QueueItem, StaffAccounts, StaffQueue, UsageStatistics } from "../../../core/store.js";
import type { Config } from "../../../config.js";
import type { BroadcastScript } from "../../../core/broadcast/index.js";

export type ConsoleConfig = Config["console"] & Pick<Config["knowledge"], "COMMUNE" | "KNOWLEDGE_DIR">;

/**
 * The store ports the console uses: accounts (sign-in, the first account), the staff queue
 * (listed, closed; answers go through `assistant`) and the statistics.
 */
export type ConsoleStore = StaffAccounts & StaffQueue & UsageStatistics;

/** A radio script as the broadcaster drafts it (core/broadcast). */
export type BroadcastScriptView = BroadcastScript;

export type BroadcastDraftResult<S extends BroadcastScriptView = BroadcastScriptView> =
  | { readonly ok: true; readonly script: S }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/** Drafting and export of radio scripts (service.ts adapts core/broadcast to this). */
export interface ConsoleBroadcaster<S extends BroadcastScriptView = BroadcastScriptView> {
  draft(input: { topic: string; minutes: number; commune: string }): Promise<BroadcastDraftResult<S>>;
  toText(script: S): string;
  toDocx(script: S): Promise<Buffer>;
  /** Topics the broadcaster knows well, offered as suggestions in the form. */
  readonly topics?: readonly string[];
}

export interface ReindexSummary {
  readonly documents: number;
  readonly chunks: number;
  readonly rebuilt: boolean;
  readonly ms: number;
}

export interface ConsoleDeps {
  readonly config: ConsoleConfig;
  readonly logger: Logger;
  readonly store: ConsoleStore;
  readonly assistant: { answerQueued(id: number, answer: string, staff: string): Promise<{ item: QueueItem; delivered: boolean }> };
  /** A live engine: `knowledge` is read on every request, so a re-index shows at once. */
  readonly engine: {
    answer(request: AnswerRequest): Promise<AnswerResult>;
    readonly knowledge: { readonly docs: readonly KnowledgeDoc[]; readonly chunks: readonly unknown[]; readonly communes: CommuneDirectory };
    readonly index: { readonly manifest: { readonly embedder: string; readonly dimensions: number; readonly builtAt: string } };
    readonly defaultCommune: string;
  };
  /** Methods are bivariant, so a broadcaster of the richer core script type fits. */
  readonly broadcaster: ConsoleBroadcaster;
  readonly reindex: (onProgress?: ProgressReporter) => Promise<ReindexSummary>;
  readonly saveStaffFaq: (input: { question: string; answer: string; staff: string; office: string }) => Promise<{ file: string }>;
}
