/** The sign-in page and the page shown while the console is off. */
import { html } from "../html.js";
import { BASE, page, type Flash } from "../layout.js";

export function signInPage(input: { csrf: string; next: string | null; username?: string; flash?: readonly Flash[] }): string {
  return page({
    title: "Đăng nhập",
    user: null,
    ...(input.flash ? { flash: input.flash } : {}),
    body: html`<form class="card form narrow" method="post" action="${BASE}/dang-nhap" autocomplete="on">
  <input type="hidden" name="_csrf" value="${input.csrf}">
  ${input.next ? html`<input type="hidden" name="next" value="${input.next}">` : ""}
  <p class="help">Dành cho cán bộ xã. Tài khoản do người quản trị tạo bằng lệnh <code>npm run staff -- add &lt;tên&gt;</code>.</p>
  <p class="field"><label for="username">Tên đăng nhập</label>
    <input id="username" name="username" type="text" required maxlength="32" autocomplete="username" autocapitalize="none" spellcheck="false" value="${input.username ?? ""}"${input.username ? "" : html` autofocus`}></p>
  <p class="field"><label for="password">Mật khẩu</label>
    <input id="password" name="password" type="password" required maxlength="256" autocomplete="current-password"${input.username ? html` autofocus` : ""}></p>
  <p><button type="submit" class="btn">Đăng nhập</button></p>
</form>`,
  });
}

export function consoleOffPage(): string {
  return page({
    title: "Bảng điều khiển chưa được bật",
    user: null,
    body: html`<section class="card narrow">
  <p>Bảng điều khiển cán bộ xã chưa có tài khoản nào nên đang tắt. Người quản trị bật bằng một trong hai cách:</p>
  <ol class="steps">
    <li>Trên máy chạy trợ lý, tạo tài khoản: <code>npm run staff -- add ten-can-bo</code> (lệnh hỏi mật khẩu hai lần), rồi tải lại trang này.</li>
    <li>Hoặc đặt <code>CONSOLE_PASSWORD=</code> (ít nhất 8 ký tự) trong tệp <code>.env</code> rồi khởi động lại dịch vụ: tài khoản đầu tiên <code>admin</code> được tạo với mật khẩu đó.</li>
  </ol>
  <p>Xem thêm mục “Bảng điều khiển cán bộ xã” trong README.</p>
</section>`,
  });
}

export function errorPage(input: { title: string; message: string; user: { username: string; csrf: string } | null; back?: string }): string {
  return page({
    title: input.title,
    user: input.user,
    body: html`<section class="card narrow"><p>${input.message}</p><p><a href="${input.back ?? BASE}">Quay lại</a></p></section>`,
  });
}
