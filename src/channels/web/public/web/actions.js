// Nút dưới mỗi câu trả lời (👍/👎 kèm lý do, «Hỏi cán bộ xã»), thông báo và lựa chọn đồng ý lưu
// câu hỏi (cùng nội dung với Telegram, Zalo: máy chủ gửi trong /api/web/info), gửi câu hỏi cho
// cán bộ xã.
const WAIT_NOTE = 'Bà con giữ trang này mở, hoặc mở lại trang trong cùng cửa sổ trình duyệt, để xem câu trả lời của cán bộ.';
const NO_NET = 'Không kết nối được máy chủ. Bà con vui lòng thử lại sau.';

let seq = 0;

function button(el, text, cls) {
  const b = el('button', 'act' + (cls ? ' ' + cls : ''), text);
  b.type = 'button';
  return b;
}

/** Một thẻ thông báo trong cuộc trò chuyện, có tiêu đề nhận tiêu điểm. */
function card(ui, title) {
  const c = ui.bubble('sys card', 'Thông báo:', null);
  const h = ui.el('h3', 'card-h', title);
  h.tabIndex = -1;
  c.append(h);
  ui.show(c);
  h.focus({ preventScroll: true });
  return c;
}

/** Thông báo về dữ liệu cá nhân: dòng đầu là tiêu đề, các dòng «•» là danh sách. */
function notice(k, parent) {
  const { el } = k.ui;
  const ul = el('ul', 'notice');
  for (const line of String(k.info.consent.notice).split('\n').slice(1)) {
    if (line.startsWith('• ')) ul.append(el('li', null, line.slice(2)));
    else parent.append(ul, el('p', 'text small', line));
  }
  if (!ul.isConnected) parent.append(ul);
}

/** Hỏi bà con có đồng ý lưu câu hỏi không; `then(granted, card)` chạy sau khi máy chủ ghi nhận. */
function askConsent(k, lead, then) {
  const { ui, info, session } = k;
  const { el } = ui;
  const c = card(ui, String(info.consent.notice).split('\n')[0]);
  if (lead) c.append(el('p', 'text lead', lead));
  notice(k, c);
  const status = session.consent() === null ? 'Bà con chưa chọn.' : session.consent() ? 'Bà con đã đồng ý lưu câu hỏi.' : 'Bà con đã chọn không đồng ý lưu câu hỏi.';
  c.append(el('p', 'text', `${status} Dù chọn thế nào, trợ lý vẫn trả lời bà con.`));
  const row = el('p', 'btns');
  const yes = button(el, info.consent.agree, 'primary');
  const no = button(el, info.consent.decline);
  row.append(yes, no);
  const out = el('p', 'text');
  out.setAttribute('role', 'status');
  c.append(row, out);
  const choose = async (granted) => {
    yes.disabled = no.disabled = true;
    const res = await k.post('/api/web/consent', { granted });
    if (!res || !res.ok) { out.textContent = res ? ui.errorText(res) : NO_NET; yes.disabled = no.disabled = false; return; }
    session.setConsent(granted);
    out.textContent = granted
      ? 'Cảm ơn bà con đã đồng ý. Trợ lý sẽ lưu câu hỏi (đã che số điện thoại, số giấy tờ) để cán bộ xã xem và trả lời.'
      : 'Trợ lý sẽ không lưu câu hỏi của bà con, và vẫn trả lời bình thường.';
    if (then) await then(granted, c);
  };
  yes.addEventListener('click', () => choose(true));
  no.addEventListener('click', () => choose(false));
}

/** Gửi câu hỏi cho cán bộ xã; chưa đồng ý lưu câu hỏi thì hỏi trước, đồng ý xong gửi luôn. */
async function toStaff(k, req, where, done) {
  const { el } = k.ui;
  const consentFirst = () => askConsent(k, k.info.consent.why, async (granted, c) => {
    if (granted) await toStaff(k, req, c, done);
    else c.append(el('p', 'text', 'Câu hỏi chưa được gửi cho cán bộ xã.'));
  });
  if (k.session.consent() !== true) { consentFirst(); return; }
  const res = await k.post('/api/web/staff', req);
  if (res && res.ok && res.body && res.body.queued) {
    where.append(el('p', 'note', `${res.body.message} ${WAIT_NOTE}`));
    if (done) done();
    k.session.wait();
    return;
  }
  // Đã đổi ý ở thẻ khác, hoặc dữ liệu đã bị xóa: hỏi lại.
  if (res && res.status === 403) { k.session.setConsent(null); consentFirst(); return; }
  where.append(el('p', 'note', res ? k.ui.errorText(res) : NO_NET));
}

/** Một ô gõ chữ có nhãn, nút gửi và nút thôi. */
function textForm(el, labelText, sendText, cancelText, maxLength, rows) {
  const id = `o-nhap-${++seq}`;
  const f = el('form', 'reason');
  f.action = '#';
  const label = el('label', null, labelText);
  label.htmlFor = id;
  const box = el('textarea');
  box.id = id; box.rows = rows; box.maxLength = maxLength;
  const send = el('button', 'act primary', sendText);
  send.type = 'submit';
  const cancel = button(el, cancelText);
  const row = el('p', 'btns');
  row.append(send, cancel);
  f.append(label, box, row);
  return { f, box, send, cancel, row };
}

/** Ô gõ lý do sau 👎 (không bắt buộc). */
function reasonForm(k, bar, messageId, status) {
  const { el } = k.ui;
  const { f, box, send, cancel, row } = textForm(el, 'Vì sao câu trả lời chưa tốt? (không bắt buộc)', 'Gửi ý kiến', 'Bỏ qua', 500, 2);
  if (k.session.consent() !== true) row.before(el('p', 'hint-s', 'Lời giải thích chỉ được lưu khi bà con đồng ý lưu câu hỏi; đánh giá 👎 thì vẫn được ghi.'));
  bar.after(f);
  box.focus();
  const thanks = () => { f.remove(); status.textContent = 'Cảm ơn bà con đã đánh giá.'; };
  cancel.addEventListener('click', thanks);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = box.value.trim();
    if (!reason) { thanks(); return; }
    send.disabled = true;
    const res = await k.post('/api/web/feedback', { messageId, rating: 'down', reason });
    if (!res || !res.ok) { send.disabled = false; status.textContent = res ? k.ui.errorText(res) : NO_NET; return; }
    f.remove();
    status.textContent = res.body && res.body.reasonKept
      ? 'Cảm ơn bà con. Ý kiến này giúp cán bộ xã sửa câu trả lời cho tốt hơn.'
      : 'Cảm ơn bà con. Đánh giá đã được ghi; lời giải thích không được lưu vì bà con chưa đồng ý lưu câu hỏi.';
  });
}

/** Các nút dưới một câu trả lời. */
function decorate(k, node, reply, question) {
  const { el } = k.ui;
  const { messageId } = reply;
  const acts = reply.actions || {};
  const bar = el('div', 'acts');
  const status = el('p', 'act-status');
  status.setAttribute('role', 'status');
  if (acts.feedback) {
    const up = button(el, '👍 Có ích');
    const down = button(el, '👎 Chưa đúng ý');
    up.setAttribute('aria-pressed', 'false');
    down.setAttribute('aria-pressed', 'false');
    const rate = async (rating) => {
      const res = await k.post('/api/web/feedback', { messageId, rating });
      if (!res || !res.ok) { status.textContent = res ? k.ui.errorText(res) : NO_NET; return; }
      up.setAttribute('aria-pressed', String(rating === 'up'));
      down.setAttribute('aria-pressed', String(rating === 'down'));
      node.querySelector('form.reason')?.remove();
      if (rating === 'down') { status.textContent = 'Đã ghi 👎.'; reasonForm(k, bar, messageId, status); }
      else status.textContent = 'Cảm ơn bà con đã đánh giá.';
    };
    up.addEventListener('click', () => rate('up'));
    down.addEventListener('click', () => rate('down'));
    bar.append(up, down);
  }
  if (acts.staff) {
    const staff = button(el, 'Hỏi cán bộ xã');
    staff.addEventListener('click', async () => {
      staff.disabled = true;
      await toStaff(k, { messageId, text: question }, node, () => staff.remove());
      if (staff.isConnected) staff.disabled = false;
    });
    bar.append(staff);
  }
  if (reply.queued) {
    node.append(el('p', 'note', `${k.info.staffQueued} ${WAIT_NOTE}`));
    k.session.wait();
  }
  if (bar.childNodes.length) node.append(bar, status);
}

/** «Hỏi cán bộ xã» ở đầu trang: một ô gõ câu hỏi gửi cán bộ. */
function staffForm(k) {
  const { el } = k.ui;
  const c = card(k.ui, 'Hỏi cán bộ xã');
  const { f, box, send, cancel } = textForm(el, 'Câu hỏi bà con muốn gửi cán bộ xã', 'Gửi cho cán bộ xã', 'Thôi', 2000, 3);
  c.append(f);
  box.focus();
  cancel.addEventListener('click', () => { f.remove(); c.append(el('p', 'text', 'Đã thôi, chưa gửi gì.')); });
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = box.value.trim();
    if (!text) { box.focus(); return; }
    send.disabled = true;
    await toStaff(k, { text }, c, () => f.remove());
    if (f.isConnected) send.disabled = false;
  });
}

export function setupActions(ui, info, session) {
  const post = async (url, body) => {
    try { return await ui.postJson(url, { sessionId: session.id(), ...body }); } catch { return null; }
  };
  const k = { ui, info, session, post };
  const open = document.querySelector('#staff-open');
  if (open) { open.hidden = false; open.addEventListener('click', () => staffForm(k)); }
  return {
    decorate: (node, reply, question) => decorate(k, node, reply, question),
    card: (title) => card(ui, title),
    button: (text, cls) => button(ui.el, text, cls),
    privacy: () => askConsent(k, null, null),
  };
}
