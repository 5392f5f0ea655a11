/**
 * Guided flows: short decision trees a resident walks through with buttons (Telegram) or
 * numbered choices (Zalo, web). A flow is pure: (state, input) → (new state, reply). Facts in a
 * flow's outcomes are quoted from the knowledge folder at run time (see KnowledgeLookup), so a
 * flow never states a number, date or procedure that is not in a cited document.
 */
import type { SourceRef } from "../answering/answer-question.js";

/** A choice offered to the resident. `id` is stable (stored in state); `label` is shown. */
export interface FlowOption {
  readonly id: string;
  readonly label: string;
}

/** Serializable flow state, stored per user (JSON). */
export interface FlowState {
  readonly flow: string;
  readonly step: string;
  /** Answers given so far, by step id (option ids). */
  readonly answers: Readonly<Record<string, string>>;
  /** Epoch milliseconds of the last step, for the inactivity timeout. */
  readonly updatedAt: number;
}

export interface FlowReply {
  /** Plain text (channels escape/format it). */
  readonly text: string;
  /** Choices for the next step; empty when the flow has ended. */
  readonly options: readonly FlowOption[];
  /** Knowledge cited by the text (outcome steps). */
  readonly sources: readonly SourceRef[];
}

export interface FlowResult {
  /** null when the flow has ended (outcome reached, cancelled or timed out). */
  readonly state: FlowState | null;
  readonly reply: FlowReply;
}

/** Quotes knowledge: the units of a document section (by heading path prefix), with its citation. */
export interface KnowledgeLookup {
  /**
   * Text units (list items, paragraphs) under `section` of document `docId`, in document order.
   * `section` is a heading path as in citations ("4. Hai hình thức … › Hộ đã tự mua …"); a prefix
   * matches its sub-sections too. Throws if the document or section does not exist.
   */
  section(docId: string, section: string): { readonly units: readonly string[]; readonly source: SourceRef };
}

export interface Flow {
  readonly id: string;
  /** Menu label ("Kiểm tra hỗ trợ điện thoại thông minh"). */
  readonly title: string;
  start(now: number): FlowResult;
  /**
   * The current step's question and options with `state` unchanged (the runner matches typed input
   * against them), or the first question with a new state when `state` cannot be resumed.
   */
  prompt(state: FlowState, now: number): FlowResult;
  /** `optionId` is one of the current step's option ids (channels resolve typed input first). */
  step(state: FlowState, optionId: string, now: number): FlowResult;
}
