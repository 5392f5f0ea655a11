/**
 * The shape of src/'s imports: no import cycle anywhere (type-only imports count: a cycle of
 * types still ties modules together), and only the composition root (src/main.ts, src/app/)
 * wires adapters, so no other module imports both a channel and a storage module.
 */
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Channel as JobChannel } from "../../src/core/channel.js";
import type { Channel as StoreChannel } from "../../src/core/store.js";
import { REPO_ROOT } from "../helpers/engine.js";
import { importCycles, importGraph } from "./import-graph.js";

const graph = importGraph(path.join(REPO_ROOT, "src"));
const isCompositionRoot = (module: string) => module === "main.ts" || module.startsWith("app/");

describe("imports of src/", () => {
  it("should read the graph (sanity: known edges are found, type-only and re-exports included)", () => {
    expect(graph.size).toBeGreaterThan(90);
    expect(graph.get("main.ts")).toContain("app/service.ts");
    expect(graph.get("core/privacy/notice.ts")).toContain("core/my-data.ts");
    expect(graph.get("core/broadcast/index.ts")).toContain("core/broadcast/render.ts");
  });

  it("should have no import cycle", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("should find a cycle when there is one (the checker itself)", () => {
    const cyclic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["d.ts"]],
      ["e.ts", ["a.ts"]],
    ]);
    expect(importCycles(cyclic)).toEqual([["a.ts", "b.ts", "c.ts"], ["d.ts"]]);
  });

  it("should let only the composition root import both a channel and a storage module", () => {
    const wiring = [...graph]
      .filter(([module]) => !isCompositionRoot(module))
      .filter(([, targets]) => targets.some((t) => t.startsWith("channels/")) && targets.some((t) => t.startsWith("storage/")))
      .map(([module]) => module);
    expect(wiring).toEqual([]);
  });

  it("should let only the entry points (main.ts, the CLIs) use the composition root", () => {
    const users = [...graph]
      .filter(([module]) => !isCompositionRoot(module) && !module.startsWith("cli/"))
      .filter(([, targets]) => targets.some((t) => t.startsWith("app/")))
      .map(([module]) => module);
    expect(users).toEqual([]);
  });

  it("should keep the HTTP server off the engine and the composition root", () => {
    expect((graph.get("server/http.ts") ?? []).filter((t) => t.startsWith("app/") || t === "engine.ts" || t === "service.ts")).toEqual([]);
  });

  it("should name the same channels in the job queue's leaf module as in the store", () => {
    expectTypeOf<JobChannel>().toEqualTypeOf<StoreChannel>();
  });
});
