import { describe, expect, it } from "vitest";
import { AnswerReplySchema } from "../../src/core/answering/generative.js";
import { parseJsonReply } from "../../src/llm/json-reply.js";

describe("parseJsonReply", () => {
  it.each([
    ["plain JSON", '{"answer": "Có [1].", "cited": [1]}'],
    ["a ```json fence", 'Đây:\n```json\n{"answer": "Có [1].", "cited": [1]}\n```\nHết.'],
    ["a bare ``` fence", '```\n{"answer": "Có [1].", "cited": [1]}\n```'],
    ["a <think> block first", '<think>Suy nghĩ {không phải JSON}</think>{"answer": "Có [1].", "cited": [1]}'],
    ["string ids", '{"answer": "Có [1].", "cited": ["[1]"]}'],
  ])("should read %s", (_what, text) => {
    expect(parseJsonReply(text, AnswerReplySchema)).toEqual({ ok: true, value: { answer: "Có [1].", cited: [1] } });
  });

  it("should default the cited list to empty", () => {
    expect(parseJsonReply('{"answer": "Có [1]."}', AnswerReplySchema)).toMatchObject({ ok: true, value: { cited: [] } });
  });

  it.each([
    ["prose", "Tốc độ là 70Mb/s.", /no JSON object/],
    ["broken JSON", '{"answer": "Có', /no JSON object|invalid JSON/],
    ["invalid JSON", '{"answer": "Có", }', /invalid JSON/],
    ["the wrong shape", '{"reply": "Có"}', /unexpected shape: answer/],
    ["an empty answer", '{"answer": "  ", "cited": []}', /unexpected shape: answer/],
    ["a non-boolean answerable", '{"answer": "Có", "answerable": "no"}', /answerable/],
  ])("should call %s malformed", (_what, text, detail) => {
    const r = parseJsonReply(text, AnswerReplySchema);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toMatch(detail);
  });
});
