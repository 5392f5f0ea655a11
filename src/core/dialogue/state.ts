/**
 * The dialogue's per-resident state in the store (`<user key>:<channel>`), read leniently: a
 * value written by an earlier version (the Telegram session, the Zalo conversation) keeps what
 * still means the same (welcomed, the free reply window, a pending reason or staff question) and
 * drops the rest.
 */
import { z } from "zod/v4";
import type { Awaiting, DialogueState } from "./types.js";

export const INITIAL_STATE: DialogueState = { awaiting: null, offered: null, suggestions: [], afterConsent: null, welcomed: false, lastInboundAt: null };

const AwaitingSchema = z.union([z.object({ kind: z.literal("reason"), messageId: z.number().int() }), z.object({ kind: z.literal("staff") })]);

/** Each field on its own: one that does not parse takes its initial value. */
const FIELDS = {
  awaiting: AwaitingSchema.nullable(),
  offered: z.array(z.string().max(64)).max(64).nullable(),
  suggestions: z.array(z.string().max(500)).max(10),
  afterConsent: z.literal("staff").nullable(),
  welcomed: z.boolean(),
  lastInboundAt: z.number().finite().nullable(),
} as const;

/** The stored value as a DialogueState (undefined when nothing is stored). */
export function parseState(value: unknown): DialogueState | undefined {
  if (value === undefined) return undefined;
  const raw = value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const field = <K extends keyof typeof FIELDS>(name: K): DialogueState[K] => {
    const parsed = FIELDS[name].safeParse(raw[name]);
    return (parsed.success ? parsed.data : INITIAL_STATE[name]) as DialogueState[K];
  };
  return {
    awaiting: field("awaiting") as Awaiting | null,
    offered: field("offered"),
    suggestions: field("suggestions"),
    afterConsent: field("afterConsent"),
    welcomed: field("welcomed"),
    lastInboundAt: field("lastInboundAt"),
  };
}
