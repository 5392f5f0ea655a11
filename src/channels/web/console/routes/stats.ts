/** "Thống kê": usage figures over the last 7, 30 or 90 days (page and JSON). */
import type { UsageStatistics } from "../../../../core/store.js";
import type { ConsoleDeps } from "../deps.js";
import { DAY_CHOICES, statsBody } from "../pages/stats.js";
import type { RouteKit } from "./kit.js";

export interface StatsRouteDeps {
  readonly statistics: UsageStatistics;
  readonly engine: { readonly knowledge: Pick<ConsoleDeps["engine"]["knowledge"], "docs"> };
}

/** A day count the page offers; anything else shows 30 days. */
function statsDays(value: string | undefined): number {
  const n = Number(value);
  return (DAY_CHOICES as readonly number[]).includes(n) ? n : 30;
}

export function registerStatsRoutes(kit: RouteKit, deps: StatsRouteDeps): void {
  const { scope, render } = kit;
  const { statistics, engine } = deps;

  scope.get("/thong-ke", async (request, reply) => {
    const stats = statistics.stats({ days: statsDays((request.query as Record<string, string | undefined>).ngay), top: 10 });
    return render(request, reply, { title: "Thống kê", active: "thong-ke", body: () => statsBody({ stats, docs: engine.knowledge.docs }) });
  });
  scope.get("/api/stats", async (request, reply) => {
    const stats = statistics.stats({ days: statsDays((request.query as Record<string, string | undefined>).days), top: 10 });
    return reply.header("Cache-Control", "no-store").send(stats);
  });
}
