// Trợ lý số xã: trang hỏi đáp trên web. Không thư viện, không gọi ra ngoài.
// Chỉ dựng DOM bằng textContent, không bao giờ dùng innerHTML với dữ liệu máy chủ.
const $ = (s) => document.querySelector(s);
const form = $('#ask'), input = $('#q'), btn = $('#send'), log = $('#log'), sel = $('#commune');
const chips = [...document.querySelectorAll('.chip')];
const KEY = 'troLySo.commune';
const KINDS = { faq: 'Hỏi đáp', extractive: 'Trích từ tài liệu', generative: 'Tóm tắt', refusal: 'Ngoài phạm vi', handoff: 'Chưa có thông tin', clarify: 'Gợi ý câu hỏi' };
const NAMES = { 'cong-hoa': 'Cộng Hòa', 'phu-tan': 'Phú Tân' };
const NET = 'Không kết nối được máy chủ. Bà con vui lòng thử lại sau.';
const SLOW = 'Máy chủ trả lời quá lâu. Bà con vui lòng thử lại sau.';
const BY_STATUS = {
  400: 'Câu hỏi chưa hợp lệ. Bà con vui lòng kiểm tra lại.',
  413: 'Câu hỏi dài quá. Bà con vui lòng hỏi ngắn gọn hơn.',
  429: 'Bà con hỏi nhanh quá. Vui lòng đợi một chút rồi hỏi lại.',
};
const OOPS = 'Đã có lỗi xảy ra. Bà con vui lòng thử lại sau.';
const has = (o, k) => typeof k === 'string' && Object.hasOwn(o, k);
const calm = matchMedia('(prefers-reduced-motion: reduce)');
let busy = false;

// Nhớ xã đã chọn (chỉ localStorage, không lưu gì khác).
try {
  const v = localStorage.getItem(KEY);
  if (v && has(NAMES, v)) sel.value = v;
} catch { /* trình duyệt chặn lưu trữ: bỏ qua */ }
sel.addEventListener('change', () => {
  try {
    if (sel.value) localStorage.setItem(KEY, sel.value);
    else localStorage.removeItem(KEY);
  } catch { /* bỏ qua */ }
});

function el(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text != null) n.textContent = String(text);
  return n;
}

function bubble(cls, label, text) {
  const m = el('div', 'msg ' + cls);
  m.append(el('span', 'sr', label));
  if (text != null) m.append(el('p', 'text', text));
  log.append(m);
  return m;
}

function show(node) {
  node.scrollIntoView({ block: 'start', behavior: calm.matches ? 'auto' : 'smooth' });
}

// Chỉ cho phép liên kết http(s); chặn javascript:, data:…
function safeUrl(u) {
  if (typeof u !== 'string' || !u) return null;
  try {
    const x = new URL(u, location.href);
    return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
  } catch { return null; }
}

function answer(d) {
  const m = el('div', 'msg bot');
  m.append(el('span', 'sr', 'Trợ lý trả lời:'));
  const meta = el('p', 'meta');
  if (has(KINDS, d.kind)) meta.append(el('span', 'badge ' + d.kind, KINDS[d.kind]));
  if (has(NAMES, d.commune)) meta.append(el('span', 'place', 'Xã ' + NAMES[d.commune]));
  if (meta.childNodes.length) m.append(meta);
  const sug = d.kind === 'clarify' && Array.isArray(d.suggestions) ? d.suggestions.filter((q) => typeof q === 'string' && q) : [];
  if (sug.length) {
    // "Có phải bà con muốn hỏi…?": each suggested question is a button that asks it.
    m.append(el('p', 'text', 'Có phải bà con muốn hỏi:'));
    const list = el('ul', 'chips sug');
    for (const q of sug) {
      const li = el('li');
      const b = el('button', 'chip', q);
      b.type = 'button';
      b.addEventListener('click', () => ask(q));
      chips.push(b);
      li.append(b);
      list.append(li);
    }
    m.append(list, el('p', 'text', 'Hoặc bà con gõ lại câu hỏi rõ hơn.'));
  } else m.append(el('p', 'text', d.answer));
  const src = Array.isArray(d.sources) ? d.sources : [];
  const ul = el('ul');
  src.forEach((s, i) => {
    if (!s || typeof s !== 'object') return;
    const li = el('li', null, `[${i + 1}] `);
    const title = String(s.title || s.id || 'Tài liệu');
    const href = safeUrl(s.url);
    if (href) {
      const a = el('a', null, title);
      a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer';
      a.append(el('span', 'sr', ' (mở trang mới)'));
      li.append(a);
    } else li.append(title);
    if (s.section) li.append(` › ${s.section}`);
    ul.append(li);
  });
  if (ul.childNodes.length) {
    const box = el('div', 'src');
    box.append(el('p', 'src-h', 'Nguồn:'), ul);
    m.append(box);
  }
  log.append(m);
  return m;
}

function setBusy(on) {
  busy = on;
  btn.disabled = on;
  for (const c of chips) c.disabled = on;
}

async function ask(raw) {
  const text = String(raw).trim();
  if (busy) return;
  if (!text) { input.focus(); return; }
  const prev = document.activeElement;
  setBusy(true);
  const q = bubble('user', 'Bà con hỏi:', text);
  if (input.value.trim() === text) { input.value = ''; fit(); }
  const wait = bubble('bot wait', 'Trợ lý:', 'Đang tìm câu trả lời…');
  show(q);

  const body = { question: text };
  if (sel.value) body.commune = sel.value;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 90000);
  let data = null, err = null;
  try {
    const r = await fetch('/api/ask', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      signal: ac.signal,
    });
    let j = null;
    try { j = await r.json(); } catch { /* không phải JSON */ }
    if (r.ok && j && typeof j.answer === 'string') data = j;
    else err = (j && j.error && typeof j.error.message === 'string' && j.error.message) || BY_STATUS[r.status] || OOPS;
  } catch (e) {
    err = e && e.name === 'AbortError' ? SLOW : NET;
  } finally {
    clearTimeout(timer);
  }

  wait.remove();
  if (data) answer(data);
  else {
    bubble('sys', 'Thông báo:', err);
    if (!input.value.trim()) { input.value = text; fit(); } // không để mất câu hỏi
  }
  show(q);
  setBusy(false);
  const now = document.activeElement;
  if (prev && prev.isConnected && (!now || now === document.body)) prev.focus({ preventScroll: true });
}

// Ô nhập tự giãn theo nội dung (tối đa theo max-height trong CSS).
function fit() {
  input.style.height = 'auto';
  input.style.height = input.scrollHeight + 4 + 'px';
}
input.addEventListener('input', fit);

input.addEventListener('keydown', (e) => {
  // Bỏ qua khi bộ gõ tiếng Việt đang ghép chữ (isComposing / 229).
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
    e.preventDefault();
    ask(input.value);
  }
});
form.addEventListener('submit', (e) => { e.preventDefault(); ask(input.value); });
for (const c of chips) c.addEventListener('click', () => ask(c.textContent));
