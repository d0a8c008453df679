// The texts cjson raises (app/modules/cjson.c@1.5.4.1-master_20161201, lua-cjson 2.1devel),
// in one place.
#pragma once

namespace nodemcu_emu::cjson::errors {

inline constexpr const char* k_one_argument = "expected 1 argument";
// Encoder: "Cannot serialise <lua type name>: <reason>" (json_encode_exception).
inline constexpr const char* k_cannot_serialise = "Cannot serialise %s: %s";
inline constexpr const char* k_sparse = "excessively sparse array";
inline constexpr const char* k_bad_number = "must not be NaN or Infinity";
inline constexpr const char* k_bad_key = "table key must be a number or string";
inline constexpr const char* k_bad_type = "type not supported";
inline constexpr const char* k_nesting = "Cannot serialise, excessive nesting (%d)";
// Decoder: what was expected, the token found (its T_ name or the token error), 1-based index.
inline constexpr const char* k_expected = "Expected %s but found %s at character %d";
inline constexpr const char* k_too_deep = "Found too many nested data structures (%d) at character %d";
inline constexpr const char* k_utf16 = "JSON parser does not support UTF-16 or UTF-32";
inline constexpr const char* k_invalid_token = "invalid token";
inline constexpr const char* k_invalid_number = "invalid number";
inline constexpr const char* k_end_of_string = "unexpected end of string";
inline constexpr const char* k_invalid_escape = "invalid escape code";
inline constexpr const char* k_invalid_unicode = "invalid unicode escape code";

}  // namespace nodemcu_emu::cjson::errors
