/** The page shell of the console: head, skip link, navigation, flash messages. */
import { html, type Html } from "./html.js";
import { APP_NAME, CONSOLE_NAME } from "./texts.js";

export const BASE = "/console";

export const NAV = [
  { id: "hoi-dap", href: `${BASE}/hoi-dap`, label: "Hỏi đáp" },
  { id: "ban-tin", href: `${BASE}/ban-tin`, label: "Bản tin" },
  { id: "cau-hoi-cho", href: `${BASE}/cau-hoi-cho`, label: "Câu hỏi chờ" },
  { id: "thong-ke", href: `${BASE}/thong-ke`, label: "Thống kê" },
  { id: "tri-thuc", href: `${BASE}/tri-thuc`, label: "Tri thức" },
] as const;
export type NavId = (typeof NAV)[number]["id"];

export interface Flash {
  readonly kind: "ok" | "warn" | "error";
  readonly text: string;
}

export interface PageInput {
  readonly title: string;
  readonly body: Html;
  /** Signed-in staff; null on the sign-in and "console off" pages (no navigation). */
  readonly user: { readonly username: string; readonly csrf: string; readonly openQueue?: number } | null;
  readonly active?: NavId;
  readonly flash?: readonly Flash[];
}

export function flashList(flash: readonly Flash[] | undefined): Html {
  if (!flash || flash.length === 0) return html``;
  return html`<div class="flashes">${flash.map(
    (f) => html`<p class="flash flash-${f.kind}" role="${f.kind === "ok" ? "status" : "alert"}">${f.text}</p>`,
  )}</div>`;
}

export function page(input: PageInput): string {
  const { user } = input;
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="theme-color" content="#0b4f9c">
${user ? html`<meta name="csrf-token" content="${user.csrf}">` : ""}
<title>${input.title} · ${CONSOLE_NAME}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${BASE}/static/console.css">
<script type="module" src="${BASE}/static/console.js"></script>
</head>
<body>
<a class="skip" href="#main">Đến nội dung chính</a>
<header class="top">
  <div class="wrap top-row">
    <p class="brand"><a href="${BASE}">${APP_NAME}</a> <span class="brand-sub">${CONSOLE_NAME}</span></p>
    ${user
      ? html`<form class="signout" method="post" action="${BASE}/dang-xuat">
      <input type="hidden" name="_csrf" value="${user.csrf}">
      <span class="who">Cán bộ: <strong>${user.username}</strong></span>
      <button type="submit" class="btn btn-light">Đăng xuất</button>
    </form>`
      : ""}
  </div>
  ${user
    ? html`<nav class="wrap nav" aria-label="Các trang của bảng điều khiển"><ul>${NAV.map(
        (n) => html`<li><a href="${n.href}"${input.active === n.id ? html` aria-current="page"` : ""}>${n.label}${
          n.id === "cau-hoi-cho" && user.openQueue ? html` <span class="count" aria-label="${user.openQueue} câu đang chờ">${user.openQueue}</span>` : ""
        }</a></li>`,
      )}</ul></nav>`
    : ""}
</header>
<main id="main" class="wrap" tabindex="-1">
<h1>${input.title}</h1>
${flashList(input.flash)}
${input.body}
</main>
<footer class="foot wrap"><p>${APP_NAME} · ${CONSOLE_NAME}. Trang này không tải gì từ bên ngoài.</p></footer>
</body>
</html>
`.value;
}
