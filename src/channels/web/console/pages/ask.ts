/** "Hỏi đáp": ask as a resident would and see the answer with its kind, confidence and sources. */
import type { PublicAnswer } from "../../../../core/answering/request.js";
import type { Commune } from "../../../../core/knowledge/communes.js";
import { html, safeUrl, type Html } from "../html.js";
import { BASE } from "../layout.js";
import { KIND_LABELS, formatPercent } from "../texts.js";

export function communeOptions(communes: readonly Commune[], selected: string | null, defaultLabel: string | null): Html {
  return html`${defaultLabel !== null ? html`<option value=""${selected ? "" : html` selected`}>${defaultLabel}</option>` : ""}${communes.map(
    (c) => html`<option value="${c.id}"${selected === c.id ? html` selected` : ""}>${c.name}</option>`,
  )}`;
}

export function askForm(input: { csrf: string; communes: readonly Commune[]; defaultCommune: string; question?: string; commune?: string | null }): Html {
  const def = input.communes.find((c) => c.id === input.defaultCommune);
  return html`<form class="card form" method="post" action="${BASE}/hoi-dap">
  <input type="hidden" name="_csrf" value="${input.csrf}">
  <p class="field"><label for="commune">Xã</label>
    <select id="commune" name="commune">${communeOptions(input.communes, input.commune ?? null, `Mặc định (${def?.name ?? input.defaultCommune})`)}</select></p>
  <p class="field"><label for="question">Câu hỏi (gõ như người dân hỏi, có dấu hay không dấu đều được)</label>
    <textarea id="question" name="question" rows="3" required maxlength="2000">${input.question ?? ""}</textarea></p>
  <p><button type="submit" class="btn">Hỏi trợ lý</button></p>
</form>`;
}

/** Plain text of an answer with its numbered sources, for the copy button. */
export function answerAsText(answer: PublicAnswer): string {
  if (answer.sources.length === 0) return answer.answer;
  const lines = answer.sources.map((s, i) => `[${i + 1}] ${s.title}${s.section ? ` › ${s.section}` : ""}${s.url ? ` (${s.url})` : ""}`);
  return `${answer.answer}\n\nNguồn:\n${lines.join("\n")}`;
}

export function answerView(answer: PublicAnswer, communeName: string | null): Html {
  return html`<section class="card answer" aria-labelledby="answer-h" id="answer">
  <h2 id="answer-h">Câu trả lời của trợ lý</h2>
  <p class="meta">
    <span class="badge kind-${answer.kind}" data-kind="${answer.kind}">${KIND_LABELS[answer.kind]}</span>
    <span class="badge plain">Độ tin cậy: <strong data-confidence="${answer.confidence}">${formatPercent(answer.confidence)}</strong></span>
    ${communeName ? html`<span class="badge plain">Xã: ${communeName}</span>` : ""}
  </p>
  <div class="answer-text">${answer.answer}</div>
  ${answer.sources.length
    ? html`<div class="sources"><h3>Nguồn</h3><ol>${answer.sources.map((s) => {
        const url = safeUrl(s.url);
        const label = html`${s.title}${s.section ? html` <span class="section">› ${s.section}</span>` : ""}`;
        return html`<li data-doc="${s.id}">${url ? html`<a href="${url}" rel="noopener noreferrer" target="_blank">${label}</a>` : label} <span class="doc-id">(${s.id})</span></li>`;
      })}</ol></div>`
    : html`<p class="muted">Câu trả lời này không dẫn nguồn.</p>`}
  <pre id="answer-copy" hidden>${answerAsText(answer)}</pre>
  <p><button type="button" class="btn btn-ghost" data-copy="answer-copy">Chép câu trả lời và nguồn</button> <span class="copy-status" role="status" aria-live="polite"></span></p>
</section>`;
}
