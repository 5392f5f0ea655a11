// Menu chủ đề của trang: cùng các mục, cùng lời với Telegram và Zalo, vì lấy từ hội thoại chung
// của lõi (core/dialogue) qua GET /api/chat/menu. Bấm một mục (hay một lựa chọn trong câu trả lời)
// gửi mã lựa chọn đó tới POST /api/chat; câu trả lời hiện thành tin nhắn, các lựa chọn thành nút.

/** Hiện một câu trả lời của hội thoại: chữ, nguồn, và các lựa chọn thành nút bấm. */
function render(ui, reply, choose) {
  const node = ui.bubble(reply.fromStaff ? 'staff' : 'bot', reply.fromStaff ? 'Cán bộ xã trả lời:' : 'Trợ lý:', reply.text);
  if (Array.isArray(reply.sources) && reply.sources.length) {
    const list = ui.el('ol', 'src');
    for (const s of reply.sources) if (s && typeof s.title === 'string') list.append(ui.el('li', null, s.title));
    node.append(list);
  }
  if (typeof reply.note === 'string' && reply.note) node.append(ui.el('p', 'note', reply.note));
  if (Array.isArray(reply.choices) && reply.choices.length) {
    const row = ui.el('p', 'btns');
    for (const c of reply.choices) {
      if (!c || typeof c.id !== 'string' || typeof c.label !== 'string') continue;
      const b = ui.el('button', 'act', c.label);
      b.type = 'button';
      b.addEventListener('click', () => choose(c.id, c.label));
      row.append(b);
    }
    node.append(row);
  }
  return node;
}

export async function setupMenu(ui, session) {
  const nav = document.querySelector('#menu');
  if (!nav) return;
  let body;
  try {
    const res = await fetch('/api/chat/menu', { headers: { Accept: 'application/json' } });
    if (!res.ok) return;
    body = await res.json();
  } catch { return; }
  if (!body || !Array.isArray(body.menu) || body.menu.length === 0) return;

  let busy = false;
  async function choose(id, label) {
    if (busy) return;
    busy = true;
    ui.show(ui.bubble('user', 'Bà con chọn:', label));
    try {
      const res = await ui.postJson('/api/chat', { sessionId: session.id(), choice: id });
      if (!res.ok || !res.body || !Array.isArray(res.body.replies)) {
        ui.show(ui.bubble('sys', 'Thông báo:', ui.errorText(res)));
        return;
      }
      let last = null;
      for (const reply of res.body.replies) if (reply && typeof reply.text === 'string') last = render(ui, reply, choose);
      if (last) ui.show(last);
    } catch {
      ui.show(ui.bubble('sys', 'Thông báo:', 'Không kết nối được máy chủ. Bà con vui lòng thử lại sau.'));
    } finally {
      busy = false;
    }
  }

  const list = nav.querySelector('ul');
  for (const m of body.menu) {
    if (!m || typeof m.id !== 'string' || typeof m.label !== 'string') continue;
    const li = ui.el('li');
    const b = ui.el('button', 'chip menu-item', m.label);
    b.type = 'button';
    b.dataset.choice = m.id;
    b.addEventListener('click', () => choose(m.id, m.label));
    li.append(b);
    list.append(li);
  }
  nav.hidden = false;
}
