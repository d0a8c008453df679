// The wifi module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::wifi::errors {

constexpr const char* k_wrong_arg_type = "wrong arg type";
constexpr const char* k_country_must_be_string = "country: must be string";
constexpr const char* k_table_not_found = "Table not found!";
constexpr const char* k_wifi_suspend_is_unavailable = "wifi.suspend is unavailable";
constexpr const char* k_ap_ssid_required = "ssid: required";
constexpr const char* k_ssid_not_string = "ssid: not string";
constexpr const char* k_pwd_not_string = "pwd: not string";
constexpr const char* k_hidden_not_boolean = "hidden: not boolean";
constexpr const char* k_save_not_boolean = "save: not boolean";
constexpr const char* k_can_t_list_clients_in_station = "Can't list clients in STATION mode";
// 1.5.4.1 words it so (wifi.c@1.5.4.1-master_20161201 wifi_ap_listclient).
constexpr const char* k_can_t_list_client_in_station_mode_v1 = "Can't list client in STATION_MODE mode";
constexpr const char* k_valid_wifi_events_0 = "valid wifi events:0-%d";
constexpr const char* k_config_table_not_found = "config table not found!";
constexpr const char* k_sta_ssid_required = "ssid required";
constexpr const char* k_ssid_32 = "ssid:<32";
constexpr const char* k_channel_0_or_1_13 = "channel: 0 or 1-13";
constexpr const char* k_show_hidden_0_or_1 = "show_hidden: 0 or 1";
constexpr const char* k_can_t_list_ap_in_softap = "Can't list ap in SOFTAP mode";

// 1.5.4.1 (wifi.c, wifi_eventmon.c@1.5.4.1-master_20161201): the positional sta.config, the
// table form's stricter lengths, and the station status monitor.
constexpr const char* k_v1_ssid_length = "length:1-32";
constexpr const char* k_v1_pwd_length = "length:0 or 8-64";
constexpr const char* k_v1_table_ssid_length = "ssid: length:1-32";
constexpr const char* k_v1_table_pwd_length = "pwd: length:8-64";
constexpr const char* k_v1_valid_status = "valid wifi status:0-5";
constexpr const char* k_v1_monitor_softap = "Can't monitor in SOFTAP mode";
constexpr const char* k_v1_no_callbacks = "No callbacks defined";

}  // namespace nodemcu_emu::modules::wifi::errors
