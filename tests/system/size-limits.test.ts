/**
 * The shape rules of the code base (issue 15): no source file in src/ over 400 lines and no
 * function over 120 lines, so a newcomer can read any one unit in one sitting. Functions are found
 * with the TypeScript parser (declarations, methods, arrow functions and function expressions);
 * a function's length counts from its first line to its last.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/engine.js";

const SRC = path.join(REPO_ROOT, "src");
export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 120;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** Every function-like node of a file with its name (or a description) and its line count. */
export function functionLengths(file: string, text: string): Array<{ name: string; lines: number; line: number }> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ name: string; lines: number; line: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as ts.FunctionLikeDeclaration).name;
      let name = named ? named.getText(sf) : "";
      if (!name && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText(sf);
      if (!name && ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText(sf);
      out.push({ name: name || "(anonymous)", lines: end - start + 1, line: start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("size of the source", () => {
  const files = sourceFiles(SRC);

  it("should have found the sources", () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it(`should keep every file in src/ at ${MAX_FILE_LINES} lines or fewer`, () => {
    const long = files
      .map((f) => ({ file: path.relative(REPO_ROOT, f), lines: readFileSync(f, "utf8").split("\n").length }))
      .filter((f) => f.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`should keep every function in src/ at ${MAX_FUNCTION_LINES} lines or fewer`, () => {
    const long = files.flatMap((f) =>
      functionLengths(f, readFileSync(f, "utf8"))
        .filter((fn) => fn.lines > MAX_FUNCTION_LINES)
        .map((fn) => `${path.relative(REPO_ROOT, f)}:${fn.line} ${fn.name} (${fn.lines} lines)`),
    );
    expect(long).toEqual([]);
  });

  it("should measure a long function as long (the rule can fail)", () => {
    const body = Array.from({ length: 130 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const [fn] = functionLengths("x.ts", `export function big() {\n${body}\n}\n`);
    expect(fn).toMatchObject({ name: "big", lines: 132 });
  });
});
