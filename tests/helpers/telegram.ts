import type { UserFromGetMe } from "grammy/types";

/** The bot's identity in tests (skips getMe, or is what a fake Bot API answers to getMe). */
export const BOT_INFO = {
  id: 4242,
  is_bot: true,
  first_name: "Trợ lý số xã",
  username: "tro_ly_so_xa_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;
