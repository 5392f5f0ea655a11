// Officials' console: small enhancements over server-rendered pages (copy buttons, re-index
// progress). Every page works without this file.
/* global document, window, navigator, fetch, setTimeout */
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain http on the office network: no Clipboard API, fall back to a hidden selection.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "copy-fallback";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy failed");
}

for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy ?? "");
    const status = button.parentElement?.querySelector(".copy-status");
    if (!source) return;
    try {
      await copyText(source.textContent ?? "");
      if (status) status.textContent = "Đã chép vào bộ nhớ tạm.";
    } catch {
      if (status) status.textContent = "Không chép được; anh/chị bôi đen nội dung rồi chép bằng tay.";
    }
  });
}

const reindexForm = document.getElementById("reindex-form");
if (reindexForm) {
  const button = document.getElementById("reindex-button");
  const progress = document.getElementById("reindex-progress");
  const status = document.getElementById("reindex-status");
  const api = reindexForm.dataset.api ?? "";

  const show = (s) => {
    if (status) {
      status.textContent = s.message;
      status.dataset.state = s.state;
      status.className = `status-${s.state}`;
    }
    if (progress) {
      progress.hidden = false;
      progress.max = Math.max(1, s.total);
      progress.value = s.state === "done" ? progress.max : s.done;
    }
    if (button) button.disabled = s.state === "running";
  };

  const poll = async () => {
    try {
      const res = await fetch(api, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (res.status === 401) {
        window.location.assign("/console/dang-nhap?thong-bao=het-phien");
        return;
      }
      const s = await res.json();
      show(s);
      if (s.state === "running") setTimeout(poll, 400);
    } catch {
      setTimeout(poll, 2000);
    }
  };

  reindexForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button) button.disabled = true;
    try {
      const res = await fetch(api, { method: "POST", headers: { "x-csrf-token": csrfToken(), accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok && res.status !== 202) {
        const body = await res.json().catch(() => ({}));
        if (status) status.textContent = body?.error?.message ?? "Không bắt đầu được việc lập chỉ mục.";
        if (button) button.disabled = false;
        return;
      }
      show(await res.json());
      setTimeout(poll, 300);
    } catch {
      if (status) status.textContent = "Mất kết nối với dịch vụ. Anh/chị thử lại sau.";
      if (button) button.disabled = false;
    }
  });

  if (status?.dataset.state === "running") setTimeout(poll, 300);
}
