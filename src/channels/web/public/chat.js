// Trợ lý số xã: trang hỏi đáp trên web. Không thư viện, không gọi ra ngoài.
// Chỉ dựng DOM bằng textContent, không bao giờ dùng innerHTML với dữ liệu máy chủ.
// Khi máy chủ có các đường /api/web/* (dịch vụ đầy đủ), trang nạp /web/channel.js: nhớ câu hỏi
// trước để hỏi tiếp, 👍/👎, «Hỏi cán bộ xã», chọn xã. Nếu không (máy chủ HTTP trần), trang hỏi
// POST /api/ask như trước, không có các phần đó.
const $ = (s) => document.querySelector(s);
const form = $('#ask'), input = $('#q'), btn = $('#send'), log = $('#log');
const chips = [...document.querySelectorAll('.chip')];
const KINDS = { faq: 'Hỏi đáp', extractive: 'Trích từ tài liệu', generative: 'Tóm tắt', refusal: 'Ngoài phạm vi', handoff: 'Chưa có thông tin', clarify: 'Gợi ý câu hỏi' };
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
/** Phần kênh web (channel.js), khi máy chủ có; null = chỉ hỏi đáp. */
let channel = null;

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

/** Một liên kết mở trang mới, hoặc chữ thường nếu địa chỉ không an toàn. */
function link(title, url) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(title);
  const a = el('a', null, title);
  a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer';
  a.append(el('span', 'sr', ' (mở trang mới)'));
  return a;
}

/** POST JSON; trả { ok, status, body } (body null nếu không phải JSON), ném lỗi mạng/AbortError. */
async function postJson(url, body, signal) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  let j = null;
  try { j = await r.json(); } catch { /* không phải JSON */ }
  return { ok: r.ok, status: r.status, body: j };
}

/** Lời báo lỗi cho bà con từ một phản hồi không thành công. */
function errorText(res) {
  const j = res.body;
  return (j && j.error && typeof j.error.message === 'string' && j.error.message) || BY_STATUS[res.status] || OOPS;
}

function sources(d) {
  const ul = el('ul');
  (Array.isArray(d.sources) ? d.sources : []).forEach((s, i) => {
    if (!s || typeof s !== 'object') return;
    const li = el('li', null, `[${i + 1}] `);
    li.append(link(String(s.title || s.id || 'Tài liệu'), s.url));
    if (s.section) li.append(` › ${s.section}`);
    ul.append(li);
  });
  if (!ul.childNodes.length) return null;
  const box = el('div', 'src');
  box.append(el('p', 'src-h', 'Nguồn:'), ul);
  return box;
}

function answer(d) {
  const m = el('div', 'msg bot');
  m.append(el('span', 'sr', 'Trợ lý trả lời:'));
  const meta = el('p', 'meta');
  if (has(KINDS, d.kind)) meta.append(el('span', 'badge ' + d.kind, KINDS[d.kind]));
  const place = channel && typeof d.commune === 'string' ? channel.communeName(d.commune) : null;
  if (place) meta.append(el('span', 'place', place));
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
  const src = sources(d);
  if (src) m.append(src);
  log.append(m);
  return m;
}

function setBusy(on) {
  busy = on;
  btn.disabled = on;
  for (const c of chips) c.disabled = on;
}

/** Hỏi máy chủ: kênh web nếu có, không thì /api/ask. Trả { data, reply } hoặc { err }. */
async function request(text, signal) {
  if (channel) {
    const res = await postJson('/api/web/ask', channel.askBody(text), signal);
    const j = res.body;
    if (res.ok && j && j.answer && typeof j.answer.answer === 'string') return { data: j.answer, reply: j };
    return { err: errorText(res) };
  }
  const res = await postJson('/api/ask', { question: text }, signal);
  if (res.ok && res.body && typeof res.body.answer === 'string') return { data: res.body, reply: null };
  return { err: errorText(res) };
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

  // Phần kênh web đang nạp: đợi tối đa 10 giây, quá thì hỏi theo cách đơn giản.
  await Promise.race([ready, new Promise((r) => setTimeout(r, 10000))]);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 90000);
  let out;
  try {
    out = await request(text, ac.signal);
  } catch (e) {
    out = { err: e && e.name === 'AbortError' ? SLOW : NET };
  } finally {
    clearTimeout(timer);
  }

  wait.remove();
  if (out.data) {
    const node = answer(out.data);
    if (channel && out.reply) channel.answered(node, out.reply, text);
  } else {
    bubble('sys', 'Thông báo:', out.err);
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

/** Nạp phần kênh web nếu máy chủ có; câu hỏi gửi trong lúc nạp sẽ đợi. */
async function loadChannel() {
  try {
    const r = await fetch('/api/web/info', { headers: { Accept: 'application/json' } });
    if (!r.ok) return;
    const info = await r.json();
    const mod = await import('/web/channel.js');
    channel = mod.setup({ el, bubble, show, link, postJson, errorText, ask, log }, info);
  } catch { /* chỉ hỏi đáp */ }
}
const ready = loadChannel();
