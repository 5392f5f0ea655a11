/**
 * Ask the assistant from a terminal.
 *   npm run ask -- "câu hỏi"                 answer and sources as text
 *   npm run -s ask -- --json "câu hỏi"       exactly one JSON object on stdout
 *   npm run -s ask -- --jsonl < questions     one JSON object per input line, in order
 * Progress and logs go to stderr.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { AppError } from "../core/errors.js";
import { formatAnswerText, parseAskRequest, toPublicAnswer } from "../core/answering/request.js";
import { buildEngine, engineSettings, type Engine } from "../app/engine.js";
import { stderrProgress } from "./progress.js";

const USAGE = `Cách dùng:
  npm run ask -- "câu hỏi" [--commune cong-hoa|phu-tan]
  npm run -s ask -- --json "câu hỏi"
  npm run -s ask -- --jsonl < cau-hoi.txt   (mỗi dòng một câu hỏi, hoặc {"question": "...", "commune": "..."})`;

function errorLine(err: unknown): string {
  const e = err instanceof AppError ? err : new AppError("INTERNAL", (err as Error)?.message);
  return JSON.stringify({ error: { code: e.code, message: e.userMessage } });
}

async function answerOne(engine: Engine, input: unknown) {
  const request = parseAskRequest(input);
  const started = performance.now();
  const result = await engine.answer(request);
  return { result, ms: performance.now() - started };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      jsonl: { type: "boolean", default: false },
      commune: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || (!values.jsonl && positionals.length === 0)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }

  const config = loadConfig();
  const engine = await buildEngine(engineSettings(config), { onProgress: stderrProgress() });

  if (values.jsonl) {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      let input: unknown = { question: line };
      if (line.trimStart().startsWith("{")) {
        try {
          input = JSON.parse(line);
        } catch {
          process.stdout.write(`${errorLine(new AppError("INVALID_BODY", "line is not valid JSON"))}\n`);
          continue;
        }
      }
      try {
        const { result, ms } = await answerOne(engine, input);
        process.stdout.write(`${JSON.stringify(toPublicAnswer(result, ms))}\n`);
      } catch (err) {
        process.stdout.write(`${errorLine(err)}\n`);
      }
    }
    return 0;
  }

  const question = positionals.join(" ");
  try {
    const { result, ms } = await answerOne(engine, { question, commune: values.commune });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(toPublicAnswer(result, ms))}\n`);
    } else {
      process.stdout.write(`${formatAnswerText(result)}\n\n(${result.kind} · độ tin cậy ${result.confidence.toFixed(2)} · ${ms.toFixed(1)} ms)\n`);
    }
    return 0;
  } catch (err) {
    if (values.json) process.stdout.write(`${errorLine(err)}\n`);
    else process.stderr.write(`${err instanceof AppError ? err.userMessage : String(err)}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err instanceof AppError ? `${err.code}: ${err.message}` : (err as Error)?.stack ?? String(err);
    process.stderr.write(`Lỗi: ${e}\n`);
    process.exit(1);
  },
);
