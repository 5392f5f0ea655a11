import type { ProgressReporter } from "../core/ports.js";

const LABELS = { parse: "Đọc tài liệu", embed: "Lập chỉ mục vectơ", save: "Lưu chỉ mục", load: "Nạp chỉ mục" } as const;

/** Prints index-build progress to stderr (one line per step; embedding shows a running count). */
export function stderrProgress(): ProgressReporter {
  let lastPercent = -1;
  return ({ phase, done, total }) => {
    if (phase === "embed") {
      const percent = total ? Math.floor((done / total) * 100) : 100;
      if (percent === lastPercent || (percent % 10 !== 0 && done !== total)) return;
      lastPercent = percent;
      process.stderr.write(`${LABELS[phase]}: ${done}/${total} đoạn (${percent}%)\n`);
      return;
    }
    if (done === total) process.stderr.write(`${LABELS[phase]}: xong (${total})\n`);
  };
}
