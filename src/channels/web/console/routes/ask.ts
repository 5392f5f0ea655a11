/** "Hỏi đáp": staff try questions on the live engine (not recorded as residents' messages). */
import { z } from "zod/v4";
import { toPublicAnswer } from "../../../../core/answering/request.js";
import type { ConsoleDeps } from "../deps.js";
import { html } from "../html.js";
import { answerView, askForm } from "../pages/ask.js";
import { MAX_TEXT, parse, text } from "./http.js";
import type { RouteKit } from "./kit.js";

const AskBody = z.object({ question: text(MAX_TEXT), commune: z.string().max(40).optional().nullable() });

export function registerAskRoutes(kit: RouteKit, deps: { readonly engine: ConsoleDeps["engine"] }): void {
  const { scope, csrf, communes, validCommune, render } = kit;
  const { engine } = deps;

  const ask = async (input: z.infer<typeof AskBody>) => {
    const commune = validCommune(input.commune);
    const started = performance.now();
    // Straight to the engine: staff trying questions are not residents' messages (no stats).
    const result = await engine.answer({ question: input.question, commune });
    return toPublicAnswer(result, performance.now() - started);
  };
  const communeName = (id: string | null) => (id ? (communes().find((c) => c.id === id)?.name ?? id) : null);

  scope.get("/hoi-dap", async (request, reply) =>
    render(request, reply, { title: "Hỏi đáp", active: "hoi-dap", body: (token) => askForm({ csrf: token, communes: communes(), defaultCommune: engine.defaultCommune }) }),
  );
  scope.post("/hoi-dap", csrf, async (request, reply) => {
    const body = parse(AskBody, request.body);
    const answer = await ask(body);
    request.log.info({ staff: kit.staffName(request), kind: answer.kind, confidence: answer.confidence }, "console ask");
    return render(request, reply, {
      title: "Hỏi đáp",
      active: "hoi-dap",
      body: (token) =>
        html`${askForm({ csrf: token, communes: communes(), defaultCommune: engine.defaultCommune, question: body.question, commune: validCommune(body.commune) })}${answerView(answer, communeName(answer.commune))}`,
    });
  });
  scope.post("/api/ask", csrf, async (request, reply) => {
    return reply.header("Cache-Control", "no-store").send(await ask(parse(AskBody, request.body)));
  });
}
