/**
 * Zalo OA webhook events, validated with zod. Only the fields the assistant uses are required;
 * extra fields are allowed (Zalo adds them over time). Event names we do not handle pass the
 * envelope check and are acknowledged, so a new Zalo event never breaks the webhook.
 */
import { createHash } from "node:crypto";
import { z } from "zod/v4";

/** Digits only, as Zalo sends ids and timestamps (strings; numbers are accepted too). */
const digits = z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().regex(/^\d{1,20}$/));
const id = z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(64));

/** What every event has. */
export const EnvelopeSchema = z.object({
  event_name: z.string().trim().min(1).max(64),
  app_id: digits,
  timestamp: digits,
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

const party = z.object({ id });

export const TextEventSchema = EnvelopeSchema.extend({
  event_name: z.literal("user_send_text"),
  sender: party,
  recipient: party,
  message: z.object({
    msg_id: id,
    // Zalo caps a message well below this; longer text is refused rather than processed.
    text: z.string().max(10_000),
  }),
});

/** Attachments (image, sticker, gif, audio, video, file, location, link, business card). */
export const MEDIA_EVENTS = [
  "user_send_image",
  "user_send_sticker",
  "user_send_gif",
  "user_send_audio",
  "user_send_video",
  "user_send_file",
  "user_send_location",
  "user_send_link",
  "user_send_business_card",
] as const;

export const MediaEventSchema = EnvelopeSchema.extend({
  event_name: z.enum(MEDIA_EVENTS),
  sender: party,
  recipient: party,
  message: z.object({ msg_id: id }).loose(),
});

export const FollowEventSchema = EnvelopeSchema.extend({
  event_name: z.enum(["follow", "unfollow"]),
  follower: party,
  oa_id: id.optional(),
});

export type TextEvent = z.infer<typeof TextEventSchema>;
export type MediaEvent = z.infer<typeof MediaEventSchema>;
export type FollowEvent = z.infer<typeof FollowEventSchema>;

/** A validated event the channel acts on, or one it only acknowledges. */
export type ZaloEvent =
  | { readonly kind: "text"; readonly userId: string; readonly eventId: string; readonly text: string; readonly at: number }
  | { readonly kind: "media"; readonly userId: string; readonly eventId: string; readonly media: (typeof MEDIA_EVENTS)[number]; readonly at: number }
  | { readonly kind: "follow" | "unfollow"; readonly userId: string; readonly eventId: string; readonly at: number }
  /** The OA's own messages echoed back (`oa_send_*`), delivery and seen receipts: never answered. */
  | { readonly kind: "ignored"; readonly name: string }
  | { readonly kind: "unknown"; readonly name: string };

export type ParseOutcome = { readonly ok: true; readonly event: ZaloEvent } | { readonly ok: false; readonly issues: string };

const IGNORED = /^(?:oa_send_|user_received_message$|user_seen_message$|oa_)/;

function describe(error: z.ZodError): string {
  // Paths and messages only: never the values, which may be a resident's text.
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** Validates a parsed JSON body. */
export function parseEvent(body: unknown): ParseOutcome {
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, issues: describe(envelope.error) };
  const name = envelope.data.event_name;
  const at = Number(envelope.data.timestamp);
  if (name === "user_send_text") {
    const r = TextEventSchema.safeParse(body);
    if (!r.success) return { ok: false, issues: describe(r.error) };
    return { ok: true, event: { kind: "text", userId: r.data.sender.id, eventId: r.data.message.msg_id, text: r.data.message.text, at } };
  }
  if ((MEDIA_EVENTS as readonly string[]).includes(name)) {
    const r = MediaEventSchema.safeParse(body);
    if (!r.success) return { ok: false, issues: describe(r.error) };
    return { ok: true, event: { kind: "media", userId: r.data.sender.id, eventId: r.data.message.msg_id, media: r.data.event_name, at } };
  }
  if (name === "follow" || name === "unfollow") {
    const r = FollowEventSchema.safeParse(body);
    if (!r.success) return { ok: false, issues: describe(r.error) };
    // Follow events have no message id: the user, the event and its time identify a resend. The
    // id is hashed, so the de-duplication table never holds a raw Zalo user id.
    const eventId = `${name}:${createHash("sha256").update(`${r.data.follower.id}:${r.data.timestamp}`).digest("hex").slice(0, 32)}`;
    return { ok: true, event: { kind: r.data.event_name, userId: r.data.follower.id, eventId, at } };
  }
  if (IGNORED.test(name)) return { ok: true, event: { kind: "ignored", name } };
  return { ok: true, event: { kind: "unknown", name } };
}
