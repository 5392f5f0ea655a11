/** "Thống kê": questions per day and topic, bot vs staff, feedback, top and weakest questions. */
import type { KnowledgeDoc } from "../../../../core/knowledge/parse.js";
import type { UsageStats } from "../../../../core/store.js";
import { dayBarChart, horizontalBarChart, shareBar } from "../charts.js";
import { html, type Html } from "../html.js";
import { BASE } from "../layout.js";
import { questionsByTopic } from "../topics.js";
import { CHANNEL_LABELS, KIND_LABELS, formatDateTime, formatDay, formatNumber, formatPercent } from "../texts.js";

export const DAY_CHOICES = [7, 30, 90] as const;

/** Answers the bot gave itself vs handed to staff vs refused (flows count as the bot's). */
export function answerShares(byKind: UsageStats["byKind"]) {
  const bot = byKind.faq + byKind.extractive + byKind.generative + byKind.flow;
  return { bot, handoff: byKind.handoff, refusal: byKind.refusal, staff: byKind.staff };
}

export function statsBody(input: { stats: UsageStats; docs: readonly KnowledgeDoc[] }): Html {
  const { stats } = input;
  const totalQuestions = stats.perDay.reduce((s, d) => s + d.questions, 0);
  const totalHandoffs = stats.perDay.reduce((s, d) => s + d.handoffs, 0);
  const topics = questionsByTopic(stats.bySource, input.docs);
  const shares = answerShares(stats.byKind);
  const ratings = stats.feedback.up + stats.feedback.down;
  const titles = new Map(input.docs.map((d) => [d.meta.id, d.meta.short_title ?? d.meta.title]));

  return html`<form class="card form filters" method="get" action="${BASE}/thong-ke">
  <div class="field-row">
    <p class="field"><label for="days">Khoảng thời gian</label>
      <select id="days" name="ngay">${DAY_CHOICES.map((d) => html`<option value="${d}"${d === stats.days ? html` selected` : ""}>${d} ngày gần nhất</option>`)}</select></p>
    <p class="field field-button"><button type="submit" class="btn btn-ghost">Xem</button></p>
  </div>
</form>

<ul class="tiles">
  <li class="tile"><span class="tile-n">${formatNumber(totalQuestions)}</span> câu hỏi</li>
  <li class="tile"><span class="tile-n">${formatNumber(totalHandoffs)}</span> chuyển cán bộ</li>
  <li class="tile"><span class="tile-n">${formatNumber(stats.queue.open)}</span> đang chờ cán bộ</li>
  <li class="tile"><span class="tile-n">${formatNumber(stats.queue.undelivered)}</span> trả lời chưa gửi được</li>
</ul>

<section class="card" aria-labelledby="per-day-h">
  <h2 id="per-day-h">Câu hỏi mỗi ngày</h2>
  ${dayBarChart({
    id: "chart-per-day",
    title: `Câu hỏi mỗi ngày trong ${stats.days} ngày`,
    description: `Tổng ${totalQuestions} câu hỏi, ${totalHandoffs} câu chuyển cán bộ xã.`,
    primaryLabel: "Câu hỏi",
    secondaryLabel: "Chuyển cán bộ xã",
    bars: stats.perDay.map((d) => ({
      label: formatDay(d.day).slice(0, 5),
      title: `${formatDay(d.day)}: ${d.questions} câu hỏi, ${d.handoffs} chuyển cán bộ`,
      primary: d.questions,
      secondary: d.handoffs,
    })),
  })}
  <details><summary>Xem bảng số liệu</summary>
    <table><thead><tr><th scope="col">Ngày</th><th scope="col">Câu hỏi</th><th scope="col">Chuyển cán bộ</th></tr></thead>
    <tbody>${stats.perDay.map((d) => html`<tr><td>${formatDay(d.day)}</td><td>${d.questions}</td><td>${d.handoffs}</td></tr>`)}</tbody></table>
  </details>
</section>

<section class="card" aria-labelledby="topic-h">
  <h2 id="topic-h">Câu hỏi theo chủ đề</h2>
  ${topics.length
    ? horizontalBarChart({ id: "chart-topics", title: "Câu hỏi theo chủ đề", description: topics.map((t) => `${t.label}: ${t.questions}`).join("; "), items: topics.map((t) => ({ label: t.label, value: t.questions })), unit: "câu hỏi" })
    : html`<p class="muted">Chưa có câu trả lời nào dẫn tài liệu trong khoảng này.</p>`}
  <p class="help">Chủ đề của câu hỏi là thư mục của tài liệu được dẫn; câu dẫn tài liệu của hai chủ đề được tính ở cả hai.</p>
  ${stats.bySource.length
    ? html`<details><summary>Tài liệu được dẫn nhiều nhất</summary><table><thead><tr><th scope="col">Tài liệu</th><th scope="col">Câu hỏi</th></tr></thead><tbody>${stats.bySource.slice(0, 15).map(
        (s) => html`<tr><td>${titles.get(s.docId) ?? s.docId} <span class="doc-id">(${s.docId})</span></td><td>${s.questions}</td></tr>`,
      )}</tbody></table></details>`
    : ""}
</section>

<section class="card" aria-labelledby="share-h">
  <h2 id="share-h">Trợ lý tự trả lời hay chuyển cán bộ</h2>
  ${shareBar({
    id: "chart-share",
    title: "Tỷ lệ câu trả lời theo cách trả lời",
    parts: [
      { label: "Trợ lý trả lời", value: shares.bot, className: "bar-primary" },
      { label: "Chuyển cán bộ xã", value: shares.handoff, className: "bar-secondary" },
      { label: "Từ chối (ngoài phạm vi)", value: shares.refusal, className: "bar-muted" },
    ],
  })}
</section>

<section class="card" aria-labelledby="fb-h">
  <h2 id="fb-h">Đánh giá của người dân</h2>
  ${shareBar({
    id: "chart-feedback",
    title: "Tỷ lệ đánh giá 👍 và 👎",
    parts: [
      { label: "👍 Hữu ích", value: stats.feedback.up, className: "bar-good" },
      { label: "👎 Chưa hữu ích", value: stats.feedback.down, className: "bar-bad" },
    ],
  })}
  <p>${ratings ? `${formatPercent(stats.feedback.up / ratings)} đánh giá là hữu ích (${ratings} lượt đánh giá).` : "Chưa có lượt đánh giá nào."}</p>
</section>

<section class="card" aria-labelledby="top-h">
  <h2 id="top-h">Câu hỏi được hỏi nhiều nhất</h2>
  ${stats.topQuestions.length
    ? html`<table><thead><tr><th scope="col">Câu hỏi</th><th scope="col">Số lần</th></tr></thead><tbody>${stats.topQuestions.map(
        (q) => html`<tr><td>${q.question}</td><td>${q.count}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">Chưa có câu hỏi nào được lưu (chỉ lưu khi người dân đồng ý).</p>`}
</section>

<section class="card" aria-labelledby="low-h">
  <h2 id="low-h">Câu trả lời trợ lý kém chắc chắn nhất</h2>
  ${stats.lowestConfidence.length
    ? html`<table><thead><tr><th scope="col">Câu hỏi</th><th scope="col">Cách trả lời</th><th scope="col">Độ tin cậy</th><th scope="col">Kênh</th><th scope="col">Lúc</th></tr></thead><tbody>${stats.lowestConfidence.map(
        (m) => html`<tr><td>${m.question ?? html`<span class="muted">(không lưu nội dung)</span>`}</td><td>${KIND_LABELS[m.kind]}</td><td>${formatPercent(m.confidence)}</td><td>${CHANNEL_LABELS[m.channel]}</td><td>${formatDateTime(m.createdAt)}</td></tr>`,
      )}</tbody></table>
      <p class="help">Nên bổ sung tài liệu hoặc mục hỏi đáp cho những câu này (trang Câu hỏi chờ → “Lưu thành mục hỏi đáp”).</p>`
    : html`<p class="muted">Chưa có số liệu.</p>`}
</section>`;
}
