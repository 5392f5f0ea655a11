/**
 * Draft a commune-radio broadcast from a terminal.
 *   npm run broadcast -- --topic "tat song 2g" --minutes 3
 *   npm run broadcast -- --topic "lừa đảo trực tuyến" --minutes 5 --commune phu-tan --format docx --out ban-tin.docx
 * The script goes to stdout (txt, md) or to --out; progress and errors go to stderr.
 * Exit codes: 0 drafted, 1 topic not covered or failure, 2 bad arguments.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { buildBroadcaster } from "../app/dialogue.js";
import { buildEngine, engineSettings } from "../app/engine.js";
import { broadcastToDocx, broadcastToMarkdown, broadcastToText } from "../core/broadcast/index.js";
import { AppError } from "../core/errors.js";
import { stderrProgress } from "./progress.js";

const USAGE = `Cách dùng:
  npm run broadcast -- --topic "tat song 2g" --minutes 3 [--commune cong-hoa|phu-tan]
                       [--audience "người cao tuổi"] [--format txt|md|docx] [--out tep]
  --minutes  thời lượng muốn đọc, 1–15 phút (mặc định 3)
  --format   txt (mặc định), md, hoặc docx (docx cần --out)
  --out      ghi ra tệp thay vì in ra màn hình`;

const FORMATS = ["txt", "md", "docx"] as const;
type Format = (typeof FORMATS)[number];

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        topic: { type: "string", short: "t" },
        minutes: { type: "string", short: "m", default: "3" },
        commune: { type: "string" },
        audience: { type: "string" },
        format: { type: "string", short: "f", default: "txt" },
        out: { type: "string", short: "o" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const format = values.format as Format;
  const minutes = Number(values.minutes?.replace(",", "."));
  const problem = !values.topic
    ? "Thiếu --topic (chủ đề bản tin)."
    : !FORMATS.includes(format)
      ? `--format phải là ${FORMATS.join(", ")}.`
      : !Number.isFinite(minutes)
        ? "--minutes phải là một số phút, ví dụ 3."
        : format === "docx" && !values.out
          ? "Định dạng docx cần --out <tệp.docx>."
          : null;
  if (problem) {
    process.stderr.write(`${problem}\n\n${USAGE}\n`);
    return 2;
  }

  const config = loadConfig();
  const engine = await buildEngine(engineSettings(config), { onProgress: stderrProgress() });
  const broadcaster = buildBroadcaster(config.broadcast, engine);
  const outcome = await broadcaster.draft({
    topic: values.topic as string,
    minutes,
    commune: values.commune ?? null,
    audience: values.audience ?? null,
  });
  if (!outcome.ok) {
    process.stderr.write(`${outcome.message}\n`);
    return outcome.reason === "invalid_request" ? 2 : 1;
  }

  const { script } = outcome;
  const output: string | Buffer = format === "docx" ? await broadcastToDocx(script) : format === "md" ? broadcastToMarkdown(script) : broadcastToText(script);
  if (values.out) {
    const file = path.resolve(values.out);
    await writeFile(file, output);
    process.stderr.write(`Đã ghi bản tin vào ${file} (ước tính ${script.estimatedSeconds} giây, ${script.wordCount} tiếng).\n`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err instanceof AppError ? `${err.code}: ${err.message}` : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`Lỗi: ${e}\n`);
    process.exit(1);
  },
);
