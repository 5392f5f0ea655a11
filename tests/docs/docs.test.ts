/**
 * The README and docs/ stay a map a newcomer can follow: the README is short and keeps its two
 * set-up commands, every relative link and #anchor between README.md, docs/ and the repository
 * resolves, and the settings table sits between the markers its generator refills.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PAGES = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** Markdown with fenced code blocks blanked out (a fence's info string has no backtick). */
function withoutCode(text: string): string[] {
  let fence = false;
  return text.split("\n").map((line) => {
    if (/^`{3,}[^`]*$/.test(line)) {
      fence = !fence;
      return "";
    }
    return fence ? "" : line;
  });
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces → "-". */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, "").replaceAll(" ", "-");
    const count = seen.get(slug);
    seen.set(slug, (count ?? -1) + 1);
    out.add(count === undefined ? slug : `${slug}-${count + 1}`);
  }
  return out;
}

describe("README and docs/", () => {
  it("should keep the README under 15 KB, with the two set-up commands", () => {
    const readme = read("README.md");
    expect(Buffer.byteLength(readme)).toBeLessThan(15_000);
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm ci && npm test");
  });

  it("should resolve every relative link and anchor", () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = withoutCode(read(page)).join("\n").replace(/`[^`\n]*`/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [file, anchor] = target!.split("#") as [string, string | undefined];
        const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
        if (!existsSync(path.join(ROOT, resolved))) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && !(resolved.endsWith(".md") && anchors(read(resolved)).has(anchor))) broken.push(`${page}: ${target} (no such anchor)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("should link every docs/ page from the README", () => {
    const readme = read("README.md");
    for (const page of PAGES.filter((p) => p !== "README.md")) expect(readme).toContain(`](${page})`);
  });

  it("should keep the settings table between its markers, each on its own line", () => {
    const lines = read("docs/configuration.md").split("\n");
    const start = lines.indexOf("<!-- settings-table:start -->");
    const end = lines.indexOf("<!-- settings-table:end -->");
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    // The block itself is generated from the config schema (tests/tools/config-docs.test.ts checks its content).
    expect(lines.slice(start + 1, end).some((l) => l.startsWith("| `PORT`"))).toBe(true);
  });
});
