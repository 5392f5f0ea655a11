/**
 * The resident dialogue shared by every channel (see dialogue.ts), its texts and menu (texts.ts),
 * and the staff-answer delivery jobs channels work on (delivery.ts).
 */
export { createDialogue, type Admission, type Dialogue, type DialogueKnowledge, type DialogueOptions } from "./dialogue.js";
export { SLASH_COMMANDS } from "./commands.js";
export { readStaffAnswerJob, staffAnswerJobInput, type StaffAnswerJob } from "./delivery.js";
export { DIALOGUE_TEXTS, MENU, PLAN_QUESTION, SKILL_QUESTIONS, TOPICS_LINE, VOICES, type DialogueTexts, type Voice } from "./texts.js";
export type { Choice, CommandName, DialogueEvent, DialogueState, HandleOptions, MenuAction, MenuEntry, Outcome, Reply, Resident } from "./types.js";
