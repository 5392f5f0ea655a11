// Kênh web đầy đủ: phiên trình duyệt (sessionStorage), câu hỏi tiếp theo, nhận câu trả lời của
// cán bộ xã, quyền riêng tư. chat.js nạp tệp này khi máy chủ có /api/web/*.
import { setupActions } from './actions.js';
import { setupCommune } from './commune.js';
import { setupMenu } from './menu.js';

const SESSION = 'troLySo.session';
const CONTEXT = 'troLySo.context';
const WAITING = 'troLySo.waiting';
/** Hỏi lại câu trả lời của cán bộ bao lâu một lần khi đang chờ (ms). */
const POLL_MS = 10000;

const store = {
  get(k) { try { return sessionStorage.getItem(k); } catch { return null; } },
  set(k, v) { try { if (v == null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, v); } catch { /* trình duyệt chặn lưu trữ */ } },
};

/** Mã phiên ngẫu nhiên (crypto.getRandomValues chạy cả trên http thường). */
function newSessionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function readContext() {
  try {
    const c = JSON.parse(store.get(CONTEXT) || 'null');
    return c && typeof c.question === 'string' && typeof c.at === 'number' ? c : null;
  } catch { return null; }
}

export function setup(ui, info) {
  const returning = store.get(SESSION);
  let sessionId = returning && /^[A-Za-z0-9_-]{16,64}$/.test(returning) ? returning : newSessionId();
  store.set(SESSION, sessionId);
  const state = { consent: null };
  const commune = setupCommune(ui, info);
  const session = {
    id: () => sessionId,
    consent: () => state.consent,
    setConsent(v) { state.consent = v; },
    wait() { store.set(WAITING, '1'); schedule(0); },
  };
  const actions = setupActions(ui, info, session);
  void setupMenu(ui, session);

  // ---- câu trả lời của cán bộ xã ---------------------------------------------------------
  let timer = 0, polling = false;
  function schedule(ms) {
    clearTimeout(timer);
    if (store.get(WAITING) && !document.hidden) timer = setTimeout(poll, ms);
  }
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const res = await ui.postJson('/api/web/inbox', { sessionId });
      const j = res.body;
      if (res.ok && j && Array.isArray(j.answers)) {
        for (const a of j.answers) if (a && typeof a.text === 'string') staffAnswer(a.text);
        if (typeof j.consent === 'boolean') state.consent = j.consent;
        store.set(WAITING, j.waiting > 0 ? '1' : null);
      }
    } catch { /* mạng chập chờn: hỏi lại sau */ }
    polling = false;
    schedule(POLL_MS);
  }
  function staffAnswer(text) {
    const m = ui.bubble('staff', 'Cán bộ xã trả lời:', null);
    m.append(ui.el('p', 'who', 'Cán bộ xã trả lời'), ui.el('p', 'text', text));
    ui.show(m);
  }
  document.addEventListener('visibilitychange', () => { if (!document.hidden) schedule(0); });
  // Bà con quay lại trong cùng phiên trình duyệt: xem ngay cán bộ đã trả lời chưa.
  if (returning) { store.set(WAITING, '1'); schedule(0); }

  // ---- quyền riêng tư ở cuối trang -------------------------------------------------------
  const priv = document.querySelector('#privacy');
  if (priv) {
    priv.hidden = false;
    document.querySelector('#privacy-open').addEventListener('click', () => actions.privacy());
    document.querySelector('#my-data').addEventListener('click', () => myData());
    document.querySelector('#forget').addEventListener('click', () => forget());
  }
  async function myData() {
    const card = actions.card('Dữ liệu trợ lý đang lưu về bà con');
    const res = await ui.postJson('/api/web/my-data', { sessionId }).catch(() => null);
    card.append(ui.el('p', 'text', res && res.ok && res.body ? res.body.text : res ? ui.errorText(res) : 'Không kết nối được máy chủ.'));
  }
  function forget() {
    const card = actions.card('Xóa dữ liệu của bà con');
    card.append(ui.el('p', 'text', 'Bà con có chắc muốn xóa toàn bộ dữ liệu trợ lý đang lưu về mình trong phiên này (câu hỏi, lựa chọn, đánh giá, câu hỏi gửi cán bộ)? Việc này không hoàn tác được.'));
    const row = ui.el('p', 'btns');
    const yes = actions.button('Xóa dữ liệu', 'danger');
    const no = actions.button('Giữ lại');
    row.append(yes, no);
    card.append(row);
    no.addEventListener('click', () => { yes.disabled = no.disabled = true; card.append(ui.el('p', 'text', 'Đã giữ nguyên, không xóa gì.')); });
    yes.addEventListener('click', async () => {
      yes.disabled = no.disabled = true;
      const res = await ui.postJson('/api/web/forget', { sessionId }).catch(() => null);
      if (!res || !res.ok) { card.append(ui.el('p', 'text', res ? ui.errorText(res) : 'Không kết nối được máy chủ.')); return; }
      // Bắt đầu lại từ đầu: phiên mới, không còn câu hỏi trước, không chờ cán bộ.
      sessionId = newSessionId();
      store.set(SESSION, sessionId);
      store.set(CONTEXT, null);
      store.set(WAITING, null);
      state.consent = null;
      card.append(ui.el('p', 'text', 'Đã xóa toàn bộ dữ liệu trợ lý lưu về bà con.'));
    });
    yes.focus();
  }

  return {
    communeName: (id) => commune.name(id),
    /** Thân yêu cầu POST /api/web/ask. */
    askBody(text) {
      return { sessionId, text, commune: commune.value() || null, context: readContext() };
    },
    /** Sau mỗi câu trả lời: nhớ ngữ cảnh cho câu hỏi tiếp theo, gắn nút đánh giá, hỏi cán bộ. */
    answered(node, reply, question) {
      store.set(CONTEXT, reply.context ? JSON.stringify(reply.context) : null);
      if (typeof reply.consent === 'boolean' || reply.consent === null) state.consent = reply.consent;
      actions.decorate(node, reply, question);
    },
  };
}
