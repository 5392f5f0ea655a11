// Nút dưới mỗi câu trả lời (👍/👎 kèm lý do, «Hỏi cán bộ xã»), thông báo và lựa chọn đồng ý lưu
// câu hỏi (cùng nội dung với Telegram, Zalo: máy chủ gửi trong /api/web/info), gửi câu hỏi cho
// cán bộ xã.
const WAIT_NOTE = 'Bà con giữ trang này mở, hoặc mở lại trang trong cùng cửa sổ trình duyệt, để xem câu trả lời của cán bộ.';
const NO_NET = 'Không kết nối được máy chủ. Bà con vui lòng thử lại sau.';

export function setupActions(ui, info, session) {
  const { el } = ui;
  let seq = 0;

  function button(text, cls) {
    const b = el('button', 'act' + (cls ? ' ' + cls : ''), text);
    b.type = 'button';
    return b;
  }

  /** Một thẻ thông báo trong cuộc trò chuyện, có tiêu đề nhận tiêu điểm. */
  function card(title) {
    const c = ui.bubble('sys card', 'Thông báo:', null);
    const h = el('h3', 'card-h', title);
    h.tabIndex = -1;
    c.append(h);
    ui.show(c);
    h.focus({ preventScroll: true });
    return c;
  }

  async function post(url, body) {
    try { return await ui.postJson(url, { sessionId: session.id(), ...body }); } catch { return null; }
  }

  /** Thông báo về dữ liệu cá nhân: dòng đầu là tiêu đề, các dòng «•» là danh sách. */
  function notice(parent) {
    const lines = String(info.consent.notice).split('\n');
    const ul = el('ul', 'notice');
    for (const line of lines.slice(1)) {
      if (line.startsWith('• ')) ul.append(el('li', null, line.slice(2)));
      else parent.append(ul, el('p', 'text small', line));
    }
    if (!ul.isConnected) parent.append(ul);
  }

  /** Hỏi bà con có đồng ý lưu câu hỏi không; `then(granted)` chạy sau khi máy chủ ghi nhận. */
  function askConsent(lead, then) {
    const c = card(String(info.consent.notice).split('\n')[0]);
    if (lead) c.append(el('p', 'text lead', lead));
    notice(c);
    const status = session.consent() === null ? 'Bà con chưa chọn.' : session.consent() ? 'Bà con đã đồng ý lưu câu hỏi.' : 'Bà con đã chọn không đồng ý lưu câu hỏi.';
    c.append(el('p', 'text', `${status} Dù chọn thế nào, trợ lý vẫn trả lời bà con.`));
    const row = el('p', 'btns');
    const yes = button(info.consent.agree, 'primary');
    const no = button(info.consent.decline);
    row.append(yes, no);
    c.append(row);
    const out = el('p', 'text');
    out.setAttribute('role', 'status');
    c.append(out);
    const choose = async (granted) => {
      yes.disabled = no.disabled = true;
      const res = await post('/api/web/consent', { granted });
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
  async function toStaff(req, where, done) {
    const consentFirst = () => askConsent(info.consent.why, async (granted, c) => {
      if (granted) await toStaff(req, c, done);
      else c.append(el('p', 'text', 'Câu hỏi chưa được gửi cho cán bộ xã.'));
    });
    if (session.consent() !== true) { consentFirst(); return; }
    const res = await post('/api/web/staff', req);
    if (res && res.ok && res.body && res.body.queued) {
      where.append(el('p', 'note', `${res.body.message} ${WAIT_NOTE}`));
      if (done) done();
      session.wait();
      return;
    }
    // Đã đổi ý ở thẻ khác, hoặc dữ liệu đã bị xóa: hỏi lại.
    if (res && res.status === 403) { session.setConsent(null); consentFirst(); return; }
    where.append(el('p', 'note', res ? ui.errorText(res) : NO_NET));
  }

  /** Ô gõ lý do sau 👎 (không bắt buộc). */
  function reasonForm(bar, messageId, status) {
    const id = `ly-do-${++seq}`;
    const f = el('form', 'reason');
    f.action = '#';
    const label = el('label', null, 'Vì sao câu trả lời chưa tốt? (không bắt buộc)');
    label.htmlFor = id;
    const box = el('textarea');
    box.id = id; box.rows = 2; box.maxLength = 500;
    f.append(label, box);
    if (session.consent() !== true) f.append(el('p', 'hint-s', 'Lời giải thích chỉ được lưu khi bà con đồng ý lưu câu hỏi; đánh giá 👎 thì vẫn được ghi.'));
    const send = el('button', 'act primary', 'Gửi ý kiến');
    send.type = 'submit';
    const skip = button('Bỏ qua');
    const row = el('p', 'btns');
    row.append(send, skip);
    f.append(row);
    bar.after(f);
    box.focus();
    skip.addEventListener('click', () => { f.remove(); status.textContent = 'Cảm ơn bà con đã đánh giá.'; });
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const reason = box.value.trim();
      if (!reason) { f.remove(); status.textContent = 'Cảm ơn bà con đã đánh giá.'; return; }
      send.disabled = true;
      const res = await post('/api/web/feedback', { messageId, rating: 'down', reason });
      if (!res || !res.ok) { send.disabled = false; status.textContent = res ? ui.errorText(res) : NO_NET; return; }
      f.remove();
      status.textContent = res.body && res.body.reasonKept
        ? 'Cảm ơn bà con. Ý kiến này giúp cán bộ xã sửa câu trả lời cho tốt hơn.'
        : 'Cảm ơn bà con. Đánh giá đã được ghi; lời giải thích không được lưu vì bà con chưa đồng ý lưu câu hỏi.';
    });
  }

  /** Các nút dưới một câu trả lời. */
  function decorate(node, reply, question) {
    const { messageId } = reply;
    const acts = reply.actions || {};
    const bar = el('div', 'acts');
    const status = el('p', 'act-status');
    status.setAttribute('role', 'status');
    if (acts.feedback) {
      const up = button('👍 Có ích');
      const down = button('👎 Chưa đúng ý');
      up.setAttribute('aria-pressed', 'false');
      down.setAttribute('aria-pressed', 'false');
      const rate = async (rating) => {
        const res = await post('/api/web/feedback', { messageId, rating });
        if (!res || !res.ok) { status.textContent = res ? ui.errorText(res) : NO_NET; return; }
        up.setAttribute('aria-pressed', String(rating === 'up'));
        down.setAttribute('aria-pressed', String(rating === 'down'));
        node.querySelector('form.reason')?.remove();
        if (rating === 'down') { status.textContent = 'Đã ghi 👎.'; reasonForm(bar, messageId, status); }
        else status.textContent = 'Cảm ơn bà con đã đánh giá.';
      };
      up.addEventListener('click', () => rate('up'));
      down.addEventListener('click', () => rate('down'));
      bar.append(up, down);
    }
    if (acts.staff) {
      const staff = button('Hỏi cán bộ xã');
      staff.addEventListener('click', async () => {
        staff.disabled = true;
        await toStaff({ messageId, text: question }, node, () => staff.remove());
        if (staff.isConnected) staff.disabled = false;
      });
      bar.append(staff);
    }
    if (reply.queued) {
      node.append(el('p', 'note', `${info.staffQueued} ${WAIT_NOTE}`));
      session.wait();
    }
    if (bar.childNodes.length) node.append(bar, status);
  }

  /** «Hỏi cán bộ xã» ở đầu trang: một ô gõ câu hỏi gửi cán bộ. */
  function staffForm() {
    const c = card('Hỏi cán bộ xã');
    const id = `can-bo-${++seq}`;
    const f = el('form', 'reason');
    f.action = '#';
    const label = el('label', null, 'Câu hỏi bà con muốn gửi cán bộ xã');
    label.htmlFor = id;
    const box = el('textarea');
    box.id = id; box.rows = 3; box.maxLength = 2000;
    const send = el('button', 'act primary', 'Gửi cho cán bộ xã');
    send.type = 'submit';
    const cancel = button('Thôi');
    const row = el('p', 'btns');
    row.append(send, cancel);
    f.append(label, box, row);
    c.append(f);
    box.focus();
    cancel.addEventListener('click', () => { f.remove(); c.append(el('p', 'text', 'Đã thôi, chưa gửi gì.')); });
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = box.value.trim();
      if (!text) { box.focus(); return; }
      send.disabled = true;
      await toStaff({ text }, c, () => f.remove());
      if (f.isConnected) send.disabled = false;
    });
  }

  const open = document.querySelector('#staff-open');
  if (open) { open.hidden = false; open.addEventListener('click', staffForm); }

  return { decorate, card, button, privacy: () => askConsent(null, null) };
}
