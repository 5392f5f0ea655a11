/**
 * What the console's route modules share once sessions and CSRF are in place: the scope, the
 * CSRF pre-handler, flash messages, the signed-in staff name, the communes, and `render`, which
 * wraps a page body in the console shell (navigation with the open-queue count, flash messages).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from "fastify";
import type { Commune } from "../../../../core/knowledge/communes.js";
import type { StaffAccount, StaffQueue } from "../../../../core/store.js";
import type { ConsoleDeps } from "../deps.js";
import type { Html } from "../html.js";
import { page, type Flash, type NavId } from "../layout.js";
import { sendPage } from "./http.js";

export interface RenderInput {
  readonly title: string;
  readonly active: NavId;
  readonly body: (csrf: string) => Html;
  readonly status?: number;
  readonly flash?: Flash[];
}

export interface RouteKit {
  readonly scope: FastifyInstance;
  /** Route options that require a valid CSRF token. */
  readonly csrf: RouteShorthandOptions;
  /** The communes of the live knowledge (read on each call, so a re-index shows at once). */
  communes(): readonly Commune[];
  /** `id` when it is a known commune, else null. */
  validCommune(id: string | null | undefined): string | null;
  /** Queues messages for the next page the staff member sees (at most five kept). */
  addFlash(request: FastifyRequest, ...flash: Flash[]): void;
  /** The signed-in account's name (routes behind the access check only). */
  staffName(request: FastifyRequest): string;
  render(request: FastifyRequest, reply: FastifyReply, input: RenderInput): FastifyReply;
}

export function createRouteKit(scope: FastifyInstance, deps: { readonly queue: StaffQueue; readonly engine: ConsoleDeps["engine"] }): RouteKit {
  const communes = () => deps.engine.knowledge.communes.all;
  const takeFlash = (request: FastifyRequest): Flash[] => {
    const flash = request.session.flash ?? [];
    if (flash.length) request.session.flash = [];
    return flash;
  };
  const staffName = (request: FastifyRequest) => (request.consoleStaff as StaffAccount).username;
  return {
    scope,
    csrf: { preHandler: scope.csrfProtection },
    communes,
    validCommune: (id) => (id && communes().some((c) => c.id === id) ? id : null),
    addFlash(request, ...flash) {
      request.session.flash = [...(request.session.flash ?? []), ...flash].slice(-5);
    },
    staffName,
    render(request, reply, input) {
      const csrf = reply.generateCsrf();
      const openQueue = deps.queue.listQueue({ status: "open", limit: 100 }).length;
      const flash = [...takeFlash(request), ...(input.flash ?? [])];
      return sendPage(reply, page({ title: input.title, active: input.active, user: { username: staffName(request), csrf, openQueue }, flash, body: input.body(csrf) }), input.status);
    },
  };
}
