/**
 * One event for the dialogue: typed text (commands, then a pending reason or staff question,
 * then a number picking an offered choice, then a running flow, then a question), a named
 * command, a choice, media, a follow.
 */
import { choice } from "./choices.js";
import { typedCommand, typedKey, typedNumber } from "./commands.js";
import { ask, command, notice, toStaff, userOf, welcomed, type Ctx } from "./steps.js";
import type { CommandName, DialogueEvent, Reply } from "./types.js";
import { flowReply, info, noticeReply } from "./views.js";

async function text(c: Ctx, typed: string): Promise<Reply[]> {
  const { t } = c.sp;
  const key = typedKey(typed);
  if (!key) return [info(c.sp, t.emptyText)];
  const named = typedCommand(key);
  if (named) return onCommand(c, named);
  const awaiting = c.s.awaiting;
  if (awaiting?.kind === "reason") {
    c.s.awaiting = null;
    c.d.assistant.feedback(c.r, awaiting.messageId, "down", typed);
    return [info(c.sp, t.reasonThanks)];
  }
  if (awaiting?.kind === "staff") {
    c.s.awaiting = null;
    c.s.afterConsent = null;
    return toStaff(c, { text: typed });
  }
  const n = typedNumber(key);
  const offered = c.s.offered;
  if (n !== null && offered?.length) {
    const id = offered[n - 1];
    if (!id) {
      c.keepOffered = true;
      return [{ text: t.noSuchChoice(n, offered.length) }];
    }
    c.typed = true;
    return choice(c, id);
  }
  // A running guided flow takes the input (it matches numbers and labels itself).
  const step = c.d.assistant.continueFlow(c.r, typed);
  if (step) return [flowReply(c.sp, step)];
  if (n !== null) return [info(c.sp, t.unknownNumber(n))];
  c.s.afterConsent = null;
  return ask(c, typed);
}

/** A command: what was pending (a reason, a staff question, a consent for staff) is dropped. */
function onCommand(c: Ctx, name: CommandName): Promise<Reply[]> | Reply[] {
  const pending = c.s.awaiting !== null;
  c.s.awaiting = null;
  c.s.afterConsent = null;
  return command(c, name, pending);
}

function follow(c: Ctx): Reply[] {
  if ((userOf(c)?.consent ?? null) !== null) return [info(c.sp, c.sp.t.welcomeBack)];
  welcomed(c);
  return [noticeReply(c.sp, notice(c), true)];
}

export function handleEvent(c: Ctx, event: DialogueEvent): Promise<Reply[]> | Reply[] {
  switch (event.kind) {
    case "text":
      return text(c, event.text);
    case "choice":
      return choice(c, event.id);
    case "command":
      return onCommand(c, event.name);
    case "media":
      return [info(c.sp, c.sp.t.media)];
    case "follow":
      return follow(c);
    case "unfollow":
      return [];
  }
}
