/**
 * The web page's side of the resident dialogue (core/dialogue), as JSON. The page keeps a random
 * session id (the resident is `{ channel: "web", channelUserId: sessionId }`) and renders the
 * replies: text, sources, choices as buttons.
 *
 * POST /api/chat
 *   body: {
 *     sessionId: string,          // 16–128 characters [A-Za-z0-9_-], random, kept by the browser
 *     text?: string,              // what the resident typed (1–2,000 characters after trimming)
 *     choice?: string,            // or: the id of a choice they tapped ("menu:skills", "fb:up:12",
 *                                 //   "consent:yes", …), or "command:<name>" with name one of
 *                                 //   start, menu, help, commune, privacy, mydata, delete, cancel, staff
 *     context?: { commune?: string | null }  // the page's commune selector (an id from GET /api/chat/menu)
 *   }
 *   Neither `text` nor `choice`: the page was opened (a new visitor gets the welcome, the privacy
 *   notice and the consent question). Both: 400.
 *   200 → { replies: Reply[] }: staff answers waiting for this session first, then the replies.
 *   Reply = {
 *     text: string,                              // plain text, no markup
 *     sources?: Array<{ id, title, section, url: string | null }>,  // [n] in text → sources[n-1]
 *     choices?: Array<{ id: string, label: string, short?: string, secondary?: boolean, sameRow?: boolean }>,
 *     list?: boolean,       // choices are a list to pick from (menu, flow step)
 *     note?: string,        // an aside shown after the sources
 *     footer?: string,      // closing line (what to do next)
 *     bold?: string[],      // parts of `text` to emphasise
 *     private?: "notice" | "data",
 *     answerKind?: "faq" | "extractive" | "generative" | "refusal" | "handoff" | "smalltalk" | "clarify",
 *     fromStaff?: true      // a staff member's answer, as written
 *   }
 *
 * GET /api/chat/updates?sessionId=…  → { replies: Reply[] }: staff answers not shown yet (poll it,
 *   e.g. every 30 s while the page is open; each answer is returned once).
 *
 * GET /api/chat/menu → {
 *   menu: Array<{ id, label, short? }>,             // choice ids "menu:<entry>"
 *   consent: { notice: string, question: string, choices: Array<{ id, label }> },
 *   communes: Array<{ id, name }>
 * }
 *
 * Errors: { error: { code, message } } with the service's codes: 400 INVALID_BODY,
 * QUESTION_EMPTY, QUESTION_TOO_LONG, COMMUNE_UNKNOWN; 429 RATE_LIMITED (per address, like
 * /api/ask; a resident who writes too fast within a session gets the dialogue's too-fast reply).
 *
 * Staff answers to web sessions are jobs in the durable job queue (core/dialogue/delivery.ts): this
 * module claims them and holds them until their session asks, then marks them delivered.
 */
import type { WebMailbox } from "./mailbox.js";
import type { FastifyInstance } from "fastify";
import { z } from "zod/v4";
import type { Assistant } from "../../core/assistant.js";
import { MAX_QUESTION_CHARS } from "../../core/answering/request.js";
import type { Dialogue, DialogueEvent, Resident } from "../../core/dialogue/index.js";
import { AppError } from "../../core/errors.js";
import type { Logger } from "../../logger.js";

export interface DialogueRoutesOptions {
  readonly dialogue: Dialogue;
  /** Staff answers for web sessions (shared with the page's own routes, channels/web/routes.ts). */
  readonly mailbox: WebMailbox;
  /** Writes staff answers that could not be shown again when the resident writes. */
  readonly assistant: Assistant;
  readonly logger: Logger;
  /** Requests allowed per client address per minute on POST /api/chat and GET /api/chat/updates; 0 or unset = no limit. */
  readonly rateLimitPerMinute?: number;
}

const SessionId = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/);
const ChatBody = z.strictObject({
  sessionId: SessionId,
  text: z.string().max(10_000).optional(),
  choice: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/)
    .optional(),
  context: z.strictObject({ commune: z.string().max(64).nullish() }).optional(),
});
const UpdatesQuery = z.object({ sessionId: SessionId });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError("INVALID_BODY", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

/** The dialogue event a request stands for. */
function eventOf(body: z.infer<typeof ChatBody>): DialogueEvent {
  if (body.text !== undefined && body.choice !== undefined) throw new AppError("INVALID_BODY", "text and choice are exclusive");
  if (body.choice !== undefined) return { kind: "choice", id: body.choice };
  if (body.text === undefined) return { kind: "follow" };
  const text = body.text.normalize("NFC").trim();
  if (!text) throw new AppError("QUESTION_EMPTY");
  if ([...text].length > MAX_QUESTION_CHARS) throw new AppError("QUESTION_TOO_LONG");
  return { kind: "text", text };
}

/** Registers POST /api/chat, GET /api/chat/updates and GET /api/chat/menu (a Fastify plugin). */
export async function dialogueRoutes(app: FastifyInstance, o: DialogueRoutesOptions): Promise<void> {
  const { dialogue } = o;
  const perMinute = o.rateLimitPerMinute ?? 0;
  const limited = perMinute > 0 ? { config: { rateLimit: { max: perMinute, timeWindow: 60_000 } } } : {};
  const { mailbox } = o;
  const residentOf = (sessionId: string): Resident => ({ channel: "web", channelUserId: sessionId });

  app.post("/api/chat", limited, async (request, reply) => {
    const body = parse(ChatBody, request.body ?? {});
    const event = eventOf(body);
    const commune = body.context?.commune ?? null;
    if (commune !== null && !dialogue.communes().some((c) => c.id === commune)) throw new AppError("COMMUNE_UNKNOWN", commune);
    const resident = residentOf(body.sessionId);
    const admission = event.kind === "follow" ? { ok: true as const } : dialogue.admit(resident, event.kind === "choice" ? "tap" : "message");
    if (!admission.ok) return reply.send({ replies: admission.notice ? [dialogue.say(admission.notice)] : [] });
    const outcome = await dialogue.handle(resident, event, { ...(commune ? { commune } : {}) });
    // The resident is here: answers that could not be shown before are written again, then collected.
    await o.assistant.deliverPending(resident);
    const waiting = mailbox.take(body.sessionId);
    // A tap acknowledged without a reply (👍) still gets its acknowledgement on the page.
    const replies = outcome.replies.length === 0 && outcome.ack ? [dialogue.say(outcome.ack)] : outcome.replies;
    request.log.info({ event: event.kind, replies: replies.length, staffAnswers: waiting.length }, "web chat answered");
    return reply.header("Cache-Control", "no-store").send({ replies: [...waiting, ...replies] });
  });

  app.get("/api/chat/updates", limited, async (request, reply) => {
    const { sessionId } = parse(UpdatesQuery, request.query ?? {});
    return reply.header("Cache-Control", "no-store").send({ replies: mailbox.take(sessionId) });
  });

  app.get("/api/chat/menu", async (_request, reply) => {
    const consent = dialogue.consent("web");
    return reply.header("Cache-Control", "no-store").send({ menu: dialogue.menu("web"), consent, communes: dialogue.communes() });
  });
}
