/**
 * Guided flows for every channel: the list of flows, matching what a resident typed to a choice,
 * cancel words, the inactivity timeout, and `runFlowStep`, which channels call with raw input.
 */
import { z } from "zod/v4";
import { fold } from "../text/normalize.js";
import { createSmartphoneFlow } from "./smartphone.js";
import { createTwoGFlow } from "./two-g.js";
import type { Flow, FlowOption, FlowReply, FlowResult, FlowState, KnowledgeLookup } from "./types.js";

export type { Flow, FlowOption, FlowReply, FlowResult, FlowState, KnowledgeLookup } from "./types.js";
export { createKnowledgeLookup } from "./knowledge-lookup.js";
export { SMARTPHONE_FLOW_ID, createSmartphoneFlow } from "./smartphone.js";
export { TWO_G_FLOW_ID, createTwoGFlow } from "./two-g.js";

/**
 * All guided flows, in menu order. Quotes are resolved here, so this throws AppError
 * KNOWLEDGE_INVALID when the knowledge lacks a section or unit a flow quotes; call it again after
 * reloading knowledge.
 */
export function createFlows(lookup: KnowledgeLookup): Flow[] {
  return [createSmartphoneFlow(lookup), createTwoGFlow(lookup)];
}

/** The flow with this id, if any. */
export function findFlow(flows: readonly Flow[], id: string): Flow | undefined {
  return flows.find((flow) => flow.id === id);
}

/** A flow ends after this much inactivity (milliseconds): 30 minutes. */
export const FLOW_TIMEOUT_MS = 30 * 60 * 1000;

/** True when `now` (epoch ms) is at least FLOW_TIMEOUT_MS after the state's last step. */
export function isExpired(state: FlowState, now: number): boolean {
  return now - state.updatedAt >= FLOW_TIMEOUT_MS;
}

/** Folded form for matching choices: no diacritics, lowercase, punctuation as single spaces. */
function matchKey(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N}/]+/gu, " ")
    .trim();
}

const CANCEL_WORDS = new Set(["huy", "huy bo", "thoat", "/menu", "menu", "0"]);

/** True when the input asks to leave the flow: "hủy", "huy", "hủy bỏ", "thoát", "/menu", "menu", "0". */
export function isCancel(input: string): boolean {
  const key = fold(input)
    .trim()
    .replace(/\s+/g, " ")
    .replace(/[.!?,;:]+$/u, "");
  return CANCEL_WORDS.has(key);
}

/** The forms of an option that count as an exact answer: label, its part before a comma or "(", id. */
function exactForms(option: FlowOption): string[] {
  return [
    option.label,
    option.label.split(",")[0] ?? "",
    option.label.replace(/\([^)]*\)/g, ""),
    option.id.replace(/-/g, " "),
  ].map(matchKey);
}

/**
 * Maps what a resident typed to an option id, or null: "2" (1-based position, "2." too); the
 * label or its leading part ("có" for "Có, đã nhận") with or without diacritics, any case, NFC or
 * NFD; otherwise words that occur in exactly one label ("cục gạch", "cận nghèo").
 */
export function resolveOption(options: readonly FlowOption[], input: string): string | null {
  const key = matchKey(input);
  if (!key) return null;
  if (/^\d+$/.test(key)) return options[Number(key) - 1]?.id ?? null;
  const exact = options.find((option) => exactForms(option).includes(key));
  if (exact) return exact.id;
  // A single letter would match too much; whole words only, so "ngheo" (two labels) stays ambiguous.
  if (key.length < 2) return null;
  const hits = options.filter((option) => ` ${matchKey(option.label)} `.includes(` ${key} `));
  return hits.length === 1 ? (hits[0] as FlowOption).id : null;
}

const TIMEOUT_MINUTES = Math.round(FLOW_TIMEOUT_MS / 60_000);

/** Canned replies of the flow runner (Vietnamese, for residents). */
export const FLOW_REPLIES = {
  cancelled: "Đã hủy phần kiểm tra. Muốn xem lại các mục, bà con gõ “menu”.",
  expired: (title: string) =>
    `Phần “${title}” đã hết hạn vì đã quá ${TIMEOUT_MINUTES} phút bà con chưa trả lời. ` +
    `Muốn làm lại từ đầu, bà con gõ “menu” rồi chọn “${title}”.`,
  unknownInput: "Trợ lý chưa hiểu lựa chọn của bà con. Bà con bấm hoặc gõ số thứ tự của một lựa chọn dưới đây (gõ “hủy” để thoát).",
  gone: "Phần kiểm tra này không còn nữa. Bà con gõ “menu” để xem các mục.",
} as const;

function ended(text: string): FlowResult {
  const reply: FlowReply = { text, options: [], sources: [] };
  return { state: null, reply };
}

/**
 * One turn of a flow from raw input: cancel words end it ("Đã hủy…"), an expired state ends it
 * with an offer to start again, input that matches no option repeats the question with the state
 * unchanged, anything else goes to the flow. `now` is epoch milliseconds.
 */
export function runFlowStep(flows: readonly Flow[], state: FlowState, input: string, now: number): FlowResult {
  const flow = findFlow(flows, state.flow);
  if (!flow) return ended(FLOW_REPLIES.gone);
  if (isCancel(input)) return ended(FLOW_REPLIES.cancelled);
  if (isExpired(state, now)) return ended(FLOW_REPLIES.expired(flow.title));
  // The current question carries the options to match the input against. A different state means
  // the flow could not resume this one (a step that no longer exists) and started over.
  const current = flow.prompt(state, now);
  if (current.state !== state) return current;
  const optionId = resolveOption(current.reply.options, input);
  if (optionId === null) {
    return { state, reply: { ...current.reply, text: `${FLOW_REPLIES.unknownInput}\n\n${current.reply.text}` } };
  }
  return flow.step(state, optionId, now);
}

const FlowStateSchema = z.object({
  flow: z.string().min(1),
  step: z.string().min(1),
  answers: z.record(z.string(), z.string()),
  updatedAt: z.number().finite(),
});

/** A FlowState read back from storage (parsed JSON), or null when it is not one. */
export function parseFlowState(value: unknown): FlowState | null {
  const parsed = FlowStateSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
