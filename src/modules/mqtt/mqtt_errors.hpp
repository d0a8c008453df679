// mqtt.c's error texts (luaL_error), one place.
#pragma once

namespace nodemcu_emu::mqtt::err {
inline constexpr char k_already_connected[] = "already connected";
inline constexpr char k_not_connected[] = "not connected";
inline constexpr char k_ssl[] = "ssl not available";
inline constexpr char k_method[] = "method not supported";
inline constexpr char k_no_topics[] = "no topics found";
inline constexpr char k_sub_overflow[] = "buffer overflow, can't enqueue all subscriptions";
inline constexpr char k_unsub_overflow[] = "buffer overflow, can't enqueue all unsubscriptions";
inline constexpr char k_need_lwt_topic[] = "need lwt topic";
inline constexpr char k_need_lwt_message[] = "need lwt message";
}  // namespace nodemcu_emu::mqtt::err
