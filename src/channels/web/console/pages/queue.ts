/** "Câu hỏi chờ": the staff queue with filters, answer and close forms. */
import type { Commune } from "../../../../core/knowledge/communes.js";
import { depersonalize } from "../../../../core/privacy/depersonalize.js";
import type { Channel, QueueItem, QueueStatus } from "../../../../core/store.js";
import { html, type Html } from "../html.js";
import { BASE } from "../layout.js";
import { CHANNEL_LABELS, REASON_LABELS, STATUS_LABELS, formatDateTime } from "../texts.js";

export interface QueueFilter {
  readonly status: QueueStatus | null;
  readonly channel: Channel | null;
}

/** What staff typed for one item when saving it as an FAQ entry was refused, to show it again. */
export interface AnswerDraft {
  readonly id: number;
  readonly answer: string;
  readonly faqQuestion: string;
  readonly saveFaq: boolean;
  /** Why the FAQ entry was refused (Vietnamese). */
  readonly error: string;
}

/**
 * The suggested public question for an item: the resident's words without numbers, names,
 * house numbers or hamlets. Staff rewrite it; the resident's own words are never saved as is.
 */
export function faqSuggestion(item: Pick<QueueItem, "question">): string {
  return depersonalize(item.question);
}

/** The queue page's own address with a filter, to come back to after an action. */
export function queueHref(filter: QueueFilter): string {
  const params = new URLSearchParams();
  if (filter.status) params.set("trang-thai", filter.status);
  else params.set("trang-thai", "tat-ca");
  if (filter.channel) params.set("kenh", filter.channel);
  return `${BASE}/cau-hoi-cho?${params.toString()}`;
}

function filterForm(filter: QueueFilter): Html {
  const statuses: Array<[string, string]> = [["open", STATUS_LABELS.open], ["answered", STATUS_LABELS.answered], ["closed", STATUS_LABELS.closed], ["tat-ca", "Tất cả"]];
  const channels: Array<[string, string]> = [["", "Mọi kênh"], ...(Object.entries(CHANNEL_LABELS) as Array<[string, string]>)];
  return html`<form class="card form filters" method="get" action="${BASE}/cau-hoi-cho">
  <div class="field-row">
    <p class="field"><label for="f-status">Trạng thái</label>
      <select id="f-status" name="trang-thai">${statuses.map(([v, l]) => html`<option value="${v}"${(filter.status ?? "tat-ca") === v ? html` selected` : ""}>${l}</option>`)}</select></p>
    <p class="field"><label for="f-channel">Kênh</label>
      <select id="f-channel" name="kenh">${channels.map(([v, l]) => html`<option value="${v}"${(filter.channel ?? "") === v ? html` selected` : ""}>${l}</option>`)}</select></p>
    <p class="field field-button"><button type="submit" class="btn btn-ghost">Lọc</button></p>
  </div>
</form>`;
}

function deliveryLabel(item: QueueItem): Html {
  if (item.status !== "answered") return html``;
  if (item.delivered === true) return html`<span class="badge ok" data-delivered="true">Đã gửi cho người dân</span>`;
  return html`<span class="badge warn" data-delivered="false">Chưa gửi được</span>`;
}

function itemView(item: QueueItem, csrf: string, back: string, communes: readonly Commune[], draft: AnswerDraft | null): Html {
  const commune = item.commune ? (communes.find((c) => c.id === item.commune)?.name ?? item.commune) : null;
  return html`<li class="card queue-item" id="q-${item.id}" data-id="${item.id}" data-status="${item.status}">
  <h2 class="q-title"><span class="q-id">#${item.id}</span> ${item.question}</h2>
  <p class="meta">
    <span class="badge plain status-${item.status}">${STATUS_LABELS[item.status]}</span>
    <span class="badge plain">${CHANNEL_LABELS[item.channel]}</span>
    <span class="badge plain">${REASON_LABELS[item.reason]}</span>
    ${commune ? html`<span class="badge plain">Xã ${commune}</span>` : ""}
    <span class="muted">Gửi lúc ${formatDateTime(item.createdAt)}</span>
  </p>
  ${item.status === "answered"
    ? html`<div class="staff-answer"><p class="part-label">Trả lời của ${item.answeredBy ?? "cán bộ"} lúc ${formatDateTime(item.answeredAt)} ${deliveryLabel(item)}</p><p class="answer-text">${item.staffAnswer ?? ""}</p></div>`
    : ""}
  ${item.status === "closed" ? html`<p class="muted">Đã đóng${item.answeredBy ? ` bởi ${item.answeredBy}` : ""}${item.answeredAt ? ` lúc ${formatDateTime(item.answeredAt)}` : ""}.</p>` : ""}
  ${item.status === "open"
    ? html`<form class="form answer-form" method="post" action="${BASE}/cau-hoi-cho/${item.id}/tra-loi">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${back}">
    <p class="field"><label for="a-${item.id}">Câu trả lời gửi người dân qua ${CHANNEL_LABELS[item.channel]}</label>
      <textarea id="a-${item.id}" name="answer" rows="4" required maxlength="2000">${draft?.answer ?? ""}</textarea></p>
    <p class="check"><input type="checkbox" id="faq-${item.id}" name="saveFaq" value="1" aria-describedby="faq-help-${item.id}"${draft?.saveFaq ? html` checked` : ""}><label for="faq-${item.id}">Lưu thành mục hỏi đáp của xã</label></p>
    <p class="field"><label for="fq-${item.id}">Câu hỏi chung ghi vào hỏi đáp (anh/chị tự viết lại)</label>
      <input id="fq-${item.id}" name="faqQuestion" type="text" maxlength="300" value="${draft?.faqQuestion ?? faqSuggestion(item)}" aria-describedby="faq-help-${item.id}${draft ? ` fq-err-${item.id}` : ""}"${draft ? html` aria-invalid="true"` : ""}></p>
    ${draft ? html`<p id="fq-err-${item.id}" class="flash flash-error" role="alert">${draft.error}</p>` : ""}
    <p id="faq-help-${item.id}" class="help">Mục hỏi đáp là công khai: ghi vào <code>knowledge/faq/cua-can-bo-xa.md</code>, dùng ngay cho mọi người hỏi sau, nguồn ghi là Ủy ban nhân dân xã. Ô câu hỏi đã gợi ý sẵn câu của người dân đã bỏ số điện thoại, tên người, số nhà, thôn xóm; anh/chị viết lại thành câu hỏi chung. Không lưu được nếu giữ nguyên câu của người dân hoặc còn tên, số nhà, thôn xóm, số điện thoại.</p>
    <p class="actions"><button type="submit" class="btn">Gửi trả lời</button></p>
  </form>
  <form class="close-form" method="post" action="${BASE}/cau-hoi-cho/${item.id}/dong">
    <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${back}">
    <button type="submit" class="btn btn-ghost">Đóng câu hỏi (không trả lời)</button>
  </form>`
    : ""}
</li>`;
}

export function queueBody(input: { items: readonly QueueItem[]; filter: QueueFilter; csrf: string; communes: readonly Commune[]; draft?: AnswerDraft | null }): Html {
  const back = queueHref(input.filter);
  return html`${filterForm(input.filter)}
<p class="muted" role="status">${input.items.length === 0 ? "Không có câu hỏi nào theo bộ lọc này." : `${input.items.length} câu hỏi.`} Câu hỏi chỉ có ở đây khi người dân đã đồng ý cho lưu câu hỏi; số điện thoại, số căn cước, số tài khoản đã được che.</p>
<ol class="queue">${input.items.map((item) => itemView(item, input.csrf, back, input.communes, input.draft?.id === item.id ? input.draft : null))}</ol>`;
}
