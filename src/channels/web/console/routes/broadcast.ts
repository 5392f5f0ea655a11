/** "Bản tin": drafting a radio script for the commune loudspeakers, shown or downloaded (docx, txt). */
import { z } from "zod/v4";
import { fold } from "../../../../core/text/normalize.js";
import type { ConsoleBroadcaster, ConsoleDeps } from "../deps.js";
import { html } from "../html.js";
import { BASE, type Flash } from "../layout.js";
import { broadcastForm, scriptView, type BroadcastFormValues } from "../pages/broadcast.js";
import { apiError, parse, text } from "./http.js";
import type { RouteKit } from "./kit.js";

const BroadcastBody = z.object({
  topic: text(200),
  minutes: z.coerce.number().int().min(1).max(10),
  commune: z.string().max(40).optional().nullable(),
  format: z.enum(["docx", "txt"]).optional(),
});

export interface BroadcastRouteDeps {
  readonly broadcaster: ConsoleBroadcaster;
  readonly engine: Pick<ConsoleDeps["engine"], "defaultCommune">;
}

export function registerBroadcastRoutes(kit: RouteKit, deps: BroadcastRouteDeps): void {
  const { scope, csrf, communes, render } = kit;
  const { broadcaster, engine } = deps;

  const broadcastValues = (body: z.infer<typeof BroadcastBody>): BroadcastFormValues => ({
    topic: body.topic,
    minutes: body.minutes,
    commune: kit.validCommune(body.commune) ?? engine.defaultCommune,
  });
  const draft = async (values: BroadcastFormValues) => broadcaster.draft({ topic: values.topic, minutes: values.minutes, commune: values.commune });

  scope.get("/ban-tin", async (request, reply) =>
    render(request, reply, {
      title: "Soạn bản tin phát thanh",
      active: "ban-tin",
      body: (token) => broadcastForm({ csrf: token, communes: communes(), topics: broadcaster.topics, values: { topic: "", minutes: 3, commune: engine.defaultCommune } }),
    }),
  );
  scope.post("/ban-tin", csrf, async (request, reply) => {
    const values = broadcastValues(parse(BroadcastBody, request.body));
    const result = await draft(values);
    request.log.info({ staff: kit.staffName(request), ok: result.ok, minutes: values.minutes }, "console broadcast draft");
    return render(request, reply, {
      title: "Soạn bản tin phát thanh",
      active: "ban-tin",
      status: result.ok ? 200 : 422,
      ...(result.ok ? {} : { flash: [{ kind: "error", text: result.message } satisfies Flash] }),
      body: (token) =>
        html`${broadcastForm({ csrf: token, communes: communes(), topics: broadcaster.topics, values })}${result.ok ? scriptView({ csrf: token, script: result.script, values, text: broadcaster.toText(result.script) }) : ""}`,
    });
  });
  scope.post("/ban-tin/tai-ve", csrf, async (request, reply) => {
    const body = parse(BroadcastBody, request.body);
    const values = broadcastValues(body);
    const result = await draft(values);
    if (!result.ok) {
      kit.addFlash(request, { kind: "error", text: result.message });
      return reply.redirect(`${BASE}/ban-tin`, 303);
    }
    const name = `ban-tin-${fold(values.topic).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "xa"}-${values.minutes}-phut`;
    const disposition = (ext: string) => `attachment; filename="${name}.${ext}"`;
    reply.header("Cache-Control", "no-store");
    if (body.format === "txt") {
      return reply.type("text/plain; charset=utf-8").header("Content-Disposition", disposition("txt")).send(broadcaster.toText(result.script));
    }
    const docx = await broadcaster.toDocx(result.script);
    return reply.type("application/vnd.openxmlformats-officedocument.wordprocessingml.document").header("Content-Disposition", disposition("docx")).send(docx);
  });
  scope.post("/api/broadcast", csrf, async (request, reply) => {
    const values = broadcastValues(parse(BroadcastBody, request.body));
    const result = await draft(values);
    if (!result.ok) return apiError(reply, 422, "BROADCAST_FAILED", { reason: result.reason, detail: result.message });
    return reply.header("Cache-Control", "no-store").send({ script: result.script, text: broadcaster.toText(result.script) });
  });
}
