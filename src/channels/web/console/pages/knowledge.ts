/** "Tri thức": the knowledge files with their dates and sources, and the re-index control. */
import type { KnowledgeDoc } from "../../../../core/knowledge/parse.js";
import { html, safeUrl, type Html } from "../html.js";
import { BASE } from "../layout.js";
import { FOLDER_LABELS } from "../topics.js";
import { PHASE_LABELS, formatDateTime, formatDay, formatNumber } from "../texts.js";

export interface ReindexStatus {
  readonly state: "idle" | "running" | "done" | "failed";
  readonly phase: string | null;
  readonly done: number;
  readonly total: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly startedBy: string | null;
  readonly result: { readonly documents: number; readonly chunks: number; readonly rebuilt: boolean; readonly ms: number } | null;
  readonly error: string | null;
}

/** One sentence about a re-index, shown on the page and sent in the JSON status. */
export function reindexMessage(status: ReindexStatus): string {
  switch (status.state) {
    case "idle":
      return "Chưa lập lại chỉ mục từ khi dịch vụ khởi động.";
    case "running":
      return `Đang lập chỉ mục: ${PHASE_LABELS[status.phase ?? ""] ?? "chuẩn bị"}${status.total ? ` (${status.done}/${status.total})` : ""}…`;
    case "done":
      return status.result
        ? `Đã lập lại chỉ mục lúc ${formatDateTime(status.finishedAt)}: ${formatNumber(status.result.documents)} tài liệu, ${formatNumber(status.result.chunks)} đoạn, ${formatNumber(status.result.ms)} ms${status.result.rebuilt ? "" : " (tài liệu không đổi, dùng chỉ mục đã lưu)"}.`
        : "Đã lập lại chỉ mục.";
    case "failed":
      return `Lập chỉ mục không thành công (${status.error ?? "lỗi không rõ"}). Trợ lý vẫn dùng chỉ mục cũ.`;
  }
}

export function knowledgeBody(input: {
  docs: readonly KnowledgeDoc[];
  chunks: number;
  manifest: { embedder: string; dimensions: number; builtAt: string };
  status: ReindexStatus;
  csrf: string;
}): Html {
  const groups = new Map<string, KnowledgeDoc[]>();
  for (const doc of [...input.docs].sort((a, b) => a.path.localeCompare(b.path))) {
    const topic = doc.path.split(/[\\/]/)[0] ?? "";
    groups.set(topic, [...(groups.get(topic) ?? []), doc]);
  }
  const running = input.status.state === "running";
  return html`<section class="card" aria-labelledby="index-h">
  <h2 id="index-h">Chỉ mục tìm kiếm</h2>
  <p>${formatNumber(input.docs.length)} tài liệu, ${formatNumber(input.chunks)} đoạn; vectơ ${input.manifest.embedder} (${input.manifest.dimensions} chiều); lập lúc ${formatDateTime(input.manifest.builtAt)}.</p>
  <p class="help">Sau khi sửa hoặc thêm tệp trong thư mục <code>knowledge/</code>, bấm nút dưới đây: trợ lý đọc lại tài liệu và lập lại chỉ mục mà không phải khởi động lại. Nếu tệp có lỗi, trợ lý báo tên tệp và vẫn dùng chỉ mục cũ.</p>
  <form id="reindex-form" method="post" action="${BASE}/tri-thuc/lap-chi-muc" data-api="${BASE}/api/reindex">
    <input type="hidden" name="_csrf" value="${input.csrf}">
    <button type="submit" class="btn" id="reindex-button"${running ? html` disabled` : ""}>Lập lại chỉ mục</button>
  </form>
  <div class="reindex">
    <progress id="reindex-progress" max="${Math.max(1, input.status.total)}" value="${input.status.state === "done" ? Math.max(1, input.status.total) : input.status.done}" aria-labelledby="reindex-status"${input.status.state === "idle" ? html` hidden` : ""}></progress>
    <p id="reindex-status" class="status-${input.status.state}" role="status" aria-live="polite" data-state="${input.status.state}">${reindexMessage(input.status)}</p>
  </div>
</section>
${[...groups].map(
  ([folder, docs]) => html`<section class="card" aria-labelledby="k-${folder}">
  <h2 id="k-${folder}">${folder}/ <span class="muted">— ${FOLDER_LABELS[folder] ?? ""}</span></h2>
  <div class="table-wrap"><table class="docs">
    <thead><tr><th scope="col">Tài liệu</th><th scope="col">Loại</th><th scope="col">Cập nhật đến</th><th scope="col">Nguồn</th></tr></thead>
    <tbody>${docs.map(
      (d) => html`<tr data-doc="${d.meta.id}"><td><strong>${d.meta.title}</strong><br><span class="doc-id">${d.path}</span>${d.meta.commune ? html`<br><span class="muted">Xã: ${d.meta.commune}</span>` : ""}</td>
      <td>${d.meta.kind}</td><td>${formatDay(d.meta.as_of)}</td>
      <td><ul class="srcs">${d.meta.source.map((s) => {
        const url = safeUrl(s.url);
        return html`<li>${url ? html`<a href="${url}" rel="noopener noreferrer" target="_blank">${s.name}</a>` : s.name}${s.date ? html` <span class="muted">(${formatDay(s.date)})</span>` : ""}</li>`;
      })}</ul></td></tr>`,
    )}</tbody>
  </table></div>
</section>`,
)}`;
}
