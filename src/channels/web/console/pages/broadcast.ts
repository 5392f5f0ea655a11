/** "Bản tin": the broadcast form and the drafted radio script with its sources. */
import type { Commune } from "../../../../core/knowledge/communes.js";
import type { BroadcastScriptView } from "../deps.js";
import { html, safeUrl, type Html } from "../html.js";
import { BASE } from "../layout.js";
import { formatDay, formatDuration, formatNumber } from "../texts.js";
import { communeOptions } from "./ask.js";

/** Topics offered as suggestions when the broadcaster names none; staff may type any other. */
export const TOPIC_SUGGESTIONS = [
  "Tắt sóng 2G: điện thoại của bà con có dùng được không",
  "Hỗ trợ điện thoại thông minh cho hộ nghèo, hộ cận nghèo",
  "Cảnh giác lừa đảo trực tuyến",
  "Tài khoản định danh điện tử VNeID và dịch vụ công trực tuyến",
  "Thanh toán bằng mã QR an toàn",
  "Bảo vệ thông tin cá nhân",
  "Kế hoạch phát triển hạ tầng số của xã",
];

export const MINUTES = [1, 2, 3, 4, 5, 6, 8, 10] as const;

export interface BroadcastFormValues {
  readonly topic: string;
  readonly minutes: number;
  readonly commune: string;
}

export function broadcastForm(input: { csrf: string; communes: readonly Commune[]; values: BroadcastFormValues; topics?: readonly string[] }): Html {
  const { values } = input;
  const topics = input.topics?.length ? input.topics : TOPIC_SUGGESTIONS;
  return html`<form class="card form" method="post" action="${BASE}/ban-tin">
  <input type="hidden" name="_csrf" value="${input.csrf}">
  <p class="field"><label for="topic">Chủ đề bản tin</label>
    <input id="topic" name="topic" type="text" required maxlength="200" list="topic-suggestions" value="${values.topic}" aria-describedby="topic-help">
    <datalist id="topic-suggestions">${topics.map((t) => html`<option value="${t}"></option>`)}</datalist>
    <span id="topic-help" class="help">Ví dụ: “tắt sóng 2G”, “hỗ trợ điện thoại cho hộ nghèo”, “lừa đảo qua mạng”.</span></p>
  <div class="field-row">
    <p class="field"><label for="minutes">Thời lượng</label>
      <select id="minutes" name="minutes">${MINUTES.map((m) => html`<option value="${m}"${m === values.minutes ? html` selected` : ""}>${m} phút</option>`)}</select></p>
    <p class="field"><label for="b-commune">Xã</label>
      <select id="b-commune" name="commune">${communeOptions(input.communes, values.commune, null)}</select></p>
  </div>
  <p><button type="submit" class="btn">Soạn bản tin</button></p>
</form>`;
}

function hiddenValues(csrf: string, values: BroadcastFormValues): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="topic" value="${values.topic}"><input type="hidden" name="minutes" value="${values.minutes}"><input type="hidden" name="commune" value="${values.commune}">`;
}

export function scriptView(input: { csrf: string; script: BroadcastScriptView; values: BroadcastFormValues; text: string }): Html {
  const { script } = input;
  const diff = script.estimatedSeconds - script.targetSeconds;
  return html`<section class="card script" aria-labelledby="script-h" id="script">
  <h2 id="script-h">${script.title}</h2>
  <p class="meta">
    <span class="badge plain">Xã ${script.commune.name}</span>
    <span class="badge plain" data-estimated-seconds="${script.estimatedSeconds}">Đọc khoảng <strong>${formatDuration(script.estimatedSeconds)}</strong></span>
    <span class="badge plain">Mục tiêu ${formatDuration(script.targetSeconds)}${Math.abs(diff) >= 15 ? ` (${diff > 0 ? "dài hơn" : "ngắn hơn"} ${formatDuration(Math.abs(diff))})` : ""}</span>
    <span class="badge plain">${formatNumber(script.wordCount)} chữ, ${formatNumber(script.wordsPerMinute)} chữ/phút</span>
  </p>
  <div class="script-text">
    <p class="part-label">Mở đầu</p><p>${script.opening}</p>
    <p class="part-label">Nội dung</p>${script.body.map((para) => html`<p>${para}</p>`)}
    <p class="part-label">Kêu gọi</p><p>${script.callToAction}</p>
    <p class="part-label">Kết thúc</p><p>${script.closing}</p>
  </div>
  <div class="sources"><h3>Nguồn để cán bộ đối chiếu (không đọc trên loa)</h3><ol>${script.sources.map((s) => {
    const url = safeUrl(s.url);
    const label = html`${s.title}${s.section ? html` <span class="section">› ${s.section}</span>` : ""}`;
    return html`<li value="${s.n}" data-doc="${s.docId}">${url ? html`<a href="${url}" rel="noopener noreferrer" target="_blank">${label}</a>` : label}${s.asOf ? html` <span class="muted">(cập nhật ${formatDay(s.asOf)})</span>` : ""}</li>`;
  })}</ol>
  ${script.notes?.length ? html`<h3>Ghi chú để cán bộ kiểm tra trước khi đọc</h3><ul class="notes">${script.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ""}</div>
  <pre id="script-copy" hidden>${input.text}</pre>
  <div class="actions">
    <form method="post" action="${BASE}/ban-tin/tai-ve">${hiddenValues(input.csrf, input.values)}<input type="hidden" name="format" value="docx"><button type="submit" class="btn">Tải về .docx</button></form>
    <form method="post" action="${BASE}/ban-tin/tai-ve">${hiddenValues(input.csrf, input.values)}<input type="hidden" name="format" value="txt"><button type="submit" class="btn btn-ghost">Tải về .txt</button></form>
    <button type="button" class="btn btn-ghost" data-copy="script-copy">Chép nội dung</button> <span class="copy-status" role="status" aria-live="polite"></span>
  </div>
</section>`;
}
