// Chọn xã: tên xã hiện nay (sau sắp xếp năm 2025) làm nhóm, tên xã cũ ở dưới; tìm bằng cách gõ,
// có dấu hay không dấu. Mặc định là xã cấu hình của trợ lý. Dưới đó là đầu mối của xã, chỉ
// những gì tri thức có (không có địa chỉ, số điện thoại, giờ làm việc thì nói hỏi ai).
const KEY = 'troLySo.commune';

/** Bỏ dấu, chữ thường (như fold() của máy chủ). */
export function fold(s) {
  return String(s).normalize('NFD').toLowerCase().replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/\s+/g, ' ').trim();
}

const cap = (s) => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);
/** "xã Minh Tân, tỉnh Ninh Bình" → "Xã Minh Tân". */
const shortUnit = (unit) => cap(String(unit).split(',')[0].trim());

export function setupCommune(ui, info) {
  const { el } = ui;
  const box = document.querySelector('#place');
  const sel = document.querySelector('#commune');
  const find = document.querySelector('#commune-find');
  const found = document.querySelector('#commune-found');
  const office = document.querySelector('#office');
  const all = [];
  for (const g of Array.isArray(info.groups) ? info.groups : []) {
    for (const c of g.communes || []) all.push({ ...c, group: g.label });
  }
  const byId = new Map(all.map((c) => [c.id, c]));
  const label = (c) => (c.currentUnit ? `${shortUnit(c.currentUnit)} (xã ${c.name} cũ)` : `Xã ${c.name}`);

  function fill(list) {
    const groups = new Map();
    for (const c of list) {
      if (!groups.has(c.group)) groups.set(c.group, []);
      groups.get(c.group).push(c);
    }
    const nodes = [];
    for (const [name, items] of groups) {
      const og = document.createElement('optgroup');
      og.label = name;
      for (const c of items) {
        const o = el('option', null, label(c));
        o.value = c.id;
        og.append(o);
      }
      nodes.push(og);
    }
    sel.replaceChildren(...nodes);
  }

  function save() {
    try { localStorage.setItem(KEY, sel.value); } catch { /* bỏ qua */ }
  }

  function renderOffice() {
    const c = byId.get(sel.value);
    if (!office || !c) return;
    const where = c.currentUnit ? shortUnit(c.currentUnit).replace(/^Xã/, 'xã') : `xã ${c.name}`;
    const summary = el('summary', null, `Liên hệ Ủy ban nhân dân ${where}`);
    const body = el('div', 'office-body');
    if (c.currentUnit) {
      const unverified = c.currentUnitStatus && c.currentUnitStatus !== 'xác minh' ? ` (${c.currentUnitStatus})` : '';
      body.append(el('p', null, `Nay là: ${c.currentUnit}${unverified}.`));
    }
    body.append(el('p', null, `Trước đây: ${c.formerUnit}.`));
    if (Array.isArray(c.offices) && c.offices.length) {
      body.append(el('p', null, `Đầu mối theo kế hoạch hạ tầng số của xã ${c.name}:`));
      const ul = el('ul');
      for (const o of c.offices) ul.append(el('li', null, o));
      body.append(ul);
    }
    body.append(el('p', null, `Trợ lý chưa có địa chỉ trụ sở, số điện thoại và giờ làm việc của Ủy ban nhân dân ${where}. Bà con hỏi trưởng thôn, trưởng ấp hoặc cán bộ xã, hoặc bấm «Hỏi cán bộ xã» để gửi câu hỏi.`));
    const src = el('ul', 'office-src');
    for (const s of c.sources || []) {
      const li = el('li');
      li.append(ui.link(String(s.name), s.url));
      src.append(li);
    }
    if (src.childNodes.length) body.append(el('p', 'src-h', 'Nguồn:'), src);
    office.replaceChildren(summary, body);
    office.hidden = false;
  }

  function filter() {
    const q = fold(find.value);
    const words = q ? q.split(' ') : [];
    const matches = words.length ? all.filter((c) => words.every((w) => String(c.search).includes(w))) : all;
    const before = sel.value;
    fill(matches.length ? matches : all);
    sel.value = byId.has(before) && [...sel.options].some((o) => o.value === before) ? before : sel.options[0]?.value ?? '';
    if (!words.length) found.textContent = '';
    else if (!matches.length) found.textContent = `Không tìm thấy xã «${find.value.trim()}». Trợ lý hiện có thông tin các xã trong danh sách.`;
    else found.textContent = `Tìm thấy ${matches.length} xã. Đang chọn: ${label(byId.get(sel.value))}.`;
    if (sel.value !== before) { save(); renderOffice(); }
  }

  if (!all.length || !sel) return { value: () => null, name: () => null };
  fill(all);
  let start = info.defaultCommune;
  try {
    const v = localStorage.getItem(KEY);
    if (v && byId.has(v)) start = v;
  } catch { /* bỏ qua */ }
  sel.value = byId.has(start) ? start : all[0].id;
  sel.addEventListener('change', () => { save(); renderOffice(); });
  find.addEventListener('input', filter);
  box.hidden = false;
  renderOffice();

  return {
    value: () => sel.value || null,
    /** Nhãn xã trên câu trả lời (xã của kế hoạch đã dùng). */
    name: (id) => (byId.has(id) ? `Xã ${byId.get(id).name}` : null),
  };
}
