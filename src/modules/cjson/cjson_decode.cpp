// cjson.decode (json_next_token, json_parse_*_context, json_decode in
// cjson.c@1.5.4.1-master_20161201): a recursive descent over tokens.
//
// Errors are raised from anywhere in the recursion, as there, so nothing here owns memory on
// the C++ stack (a Lua error is a longjmp): strings are built in a luaL_Buffer, on the Lua stack.
#include <cstdlib>
#include <cstring>

#include "modules/cjson/cjson_errors.hpp"
#include "modules/cjson/cjson_parts.hpp"

namespace nodemcu_emu::cjson {

namespace {

// json_token_type_t, in the firmware's order: the error text names a token by these.
enum Token { t_obj_begin, t_obj_end, t_arr_begin, t_arr_end, t_string, t_number, t_boolean,
             t_null, t_colon, t_comma, t_end, t_whitespace, t_error, t_unknown };
constexpr const char* k_token_names[] = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
                                         "T_STRING",    "T_NUMBER",  "T_BOOLEAN",   "T_NULL",
                                         "T_COLON",     "T_COMMA",   "T_END",       "T_WHITESPACE",
                                         "T_ERROR",     "T_UNKNOWN"};

struct Parser {
  const char* data;
  const char* ptr;
  int depth;
};

struct Lexeme {
  Token type;
  int index;                // offset of the token in the text
  const char* error;        // t_error: why
  double number;            // t_number
  bool boolean;             // t_boolean
};                          // t_string: the string is pushed on the Lua stack

Token char_token(unsigned char c) {
  switch (c) {
    case '{': return t_obj_begin;
    case '}': return t_obj_end;
    case '[': return t_arr_begin;
    case ']': return t_arr_end;
    case ',': return t_comma;
    case ':': return t_colon;
    case '\0': return t_end;  // the text ends at its first NUL, as a C string there
    case ' ': case '\t': case '\n': case '\r': return t_whitespace;
    case 'f': case 'i': case 'I': case 'n': case 'N': case 't': case '"': case '+': case '-':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
    case '9': return t_unknown;
    default: return t_error;
  }
}

void set_error(Lexeme& t, const Parser& p, const char* why) {
  t.type = t_error;
  t.index = static_cast<int>(p.ptr - p.data);
  t.error = why;
}

int hex4(const char* s) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// json_append_unicode_escape: \uXXXX (a surrogate pair takes two) as UTF-8. False if invalid.
bool unicode_escape(Parser& p, luaL_Buffer& b) {
  int cp = hex4(p.ptr + 2);
  int len = 6;
  if (cp < 0) return false;
  if ((cp & 0xF800) == 0xD800) {
    if (cp & 0x400) return false;  // a low surrogate first
    if (p.ptr[6] != '\\' || p.ptr[7] != 'u') return false;
    int low = hex4(p.ptr + 8);
    if (low < 0 || (low & 0xFC00) != 0xDC00) return false;
    cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
    len = 12;
  }
  if (cp < 0x80) {
    luaL_addchar(&b, static_cast<char>(cp));
  } else if (cp < 0x800) {
    luaL_addchar(&b, static_cast<char>(0xC0 | (cp >> 6)));
    luaL_addchar(&b, static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    luaL_addchar(&b, static_cast<char>(0xE0 | (cp >> 12)));
    luaL_addchar(&b, static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    luaL_addchar(&b, static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    luaL_addchar(&b, static_cast<char>(0xF0 | (cp >> 18)));
    luaL_addchar(&b, static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    luaL_addchar(&b, static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    luaL_addchar(&b, static_cast<char>(0x80 | (cp & 0x3F)));
  }
  p.ptr += len;
  return true;
}

char escape_char(unsigned char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 't': return '\t';
    case 'n': return '\n';
    case 'f': return '\f';
    case 'r': return '\r';
    case 'u': return 'u';
    default: return 0;
  }
}

// json_next_string_token; on success the string is pushed.
void string_token(lua_State* L, Parser& p, Lexeme& t) {
  ++p.ptr;
  // Room for the buffer's pieces (it keeps them on the stack) however deep the nesting.
  luaL_checkstack(L, LUA_MINSTACK, "string");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  char c;
  while ((c = *p.ptr) != '"') {
    if (!c) {
      luaL_pushresult(&b);
      lua_pop(L, 1);
      return set_error(t, p, errors::k_end_of_string);
    }
    if (c == '\\') {
      c = escape_char(static_cast<unsigned char>(p.ptr[1]));
      if (c == 'u') {
        if (unicode_escape(p, b)) continue;
        luaL_pushresult(&b);
        lua_pop(L, 1);
        return set_error(t, p, errors::k_invalid_unicode);
      }
      if (!c) {
        luaL_pushresult(&b);
        lua_pop(L, 1);
        return set_error(t, p, errors::k_invalid_escape);
      }
      ++p.ptr;
    }
    luaL_addchar(&b, c);
    ++p.ptr;
  }
  ++p.ptr;
  luaL_pushresult(&b);
  t.type = t_string;
}

// decode_invalid_numbers is on in that build (no DISABLE_INVALID_NUMBERS in its Makefiles):
// whatever strtod reads is a number, hex, inf and nan included.
void number_token(Parser& p, Lexeme& t) {
  char* end = nullptr;
  t.type = t_number;
  t.number = std::strtod(p.ptr, &end);
  if (end == p.ptr) return set_error(t, p, errors::k_invalid_number);
  p.ptr = end;
}

bool looks_like_invalid_number(const char* p) {
  if (*p == '+') return true;
  if (*p == '-') ++p;
  if (*p == '0') return (p[1] | 0x20) == 'x' || (p[1] >= '0' && p[1] <= '9');
  if (*p <= '9') return false;
  return strncasecmp(p, "inf", 3) == 0 || strncasecmp(p, "nan", 3) == 0;
}

void next_token(lua_State* L, Parser& p, Lexeme& t) {
  unsigned char c;
  while ((t.type = char_token(c = static_cast<unsigned char>(*p.ptr))) == t_whitespace) ++p.ptr;
  t.index = static_cast<int>(p.ptr - p.data);
  if (t.type == t_error) return set_error(t, p, errors::k_invalid_token);
  if (t.type == t_end) return;
  if (t.type != t_unknown) {
    ++p.ptr;
    return;
  }
  if (c == '"') return string_token(L, p, t);
  if (c == '-' || (c >= '0' && c <= '9')) return number_token(p, t);
  if (std::strncmp(p.ptr, "true", 4) == 0 || std::strncmp(p.ptr, "false", 5) == 0) {
    t.type = t_boolean;
    t.boolean = c == 't';
    p.ptr += t.boolean ? 4 : 5;
    return;
  }
  if (std::strncmp(p.ptr, "null", 4) == 0) {
    t.type = t_null;
    p.ptr += 4;
    return;
  }
  if (looks_like_invalid_number(p.ptr)) return number_token(p, t);
  set_error(t, p, errors::k_invalid_token);
}

[[noreturn]] void parse_error(lua_State* L, const char* expected, const Lexeme& t) {
  const char* found = t.type == t_error ? t.error : k_token_names[t.type];
  luaL_error(L, errors::k_expected, expected, found, t.index + 1);
  std::abort();  // luaL_error does not return
}

void descend(lua_State* L, Parser& p, int slots) {
  ++p.depth;
  if (p.depth <= k_max_depth && lua_checkstack(L, slots)) return;
  luaL_error(L, errors::k_too_deep, p.depth, static_cast<int>(p.ptr - p.data));
}

void value(lua_State* L, Parser& p, Lexeme& t);

void object(lua_State* L, Parser& p) {
  Lexeme t{};
  descend(L, p, 3);
  lua_newtable(L);
  next_token(L, p, t);
  if (t.type == t_obj_end) {
    --p.depth;
    return;
  }
  for (;;) {
    if (t.type != t_string) parse_error(L, "object key string", t);
    next_token(L, p, t);  // the key is on the stack
    if (t.type != t_colon) parse_error(L, "colon", t);
    next_token(L, p, t);
    value(L, p, t);
    lua_rawset(L, -3);
    next_token(L, p, t);
    if (t.type == t_obj_end) {
      --p.depth;
      return;
    }
    if (t.type != t_comma) parse_error(L, "comma or object end", t);
    next_token(L, p, t);
  }
}

void array(lua_State* L, Parser& p) {
  Lexeme t{};
  descend(L, p, 2);
  lua_newtable(L);
  next_token(L, p, t);
  if (t.type == t_arr_end) {
    --p.depth;
    return;
  }
  for (int i = 1;; ++i) {
    value(L, p, t);
    lua_rawseti(L, -2, i);
    next_token(L, p, t);
    if (t.type == t_arr_end) {
      --p.depth;
      return;
    }
    if (t.type != t_comma) parse_error(L, "comma or array end", t);
    next_token(L, p, t);
  }
}

// json_process_value: the token's value on the stack (a string token's is there already).
void value(lua_State* L, Parser& p, Lexeme& t) {
  switch (t.type) {
    case t_string: return;
    case t_number: lua_pushnumber(L, t.number); return;
    case t_boolean: lua_pushboolean(L, t.boolean); return;
    case t_obj_begin: return object(L, p);
    case t_arr_begin: return array(L, p);
    case t_null: lua_pushlightuserdata(L, nullptr); return;
    default: parse_error(L, "value", t);
  }
}

}  // namespace

int decode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, errors::k_one_argument);
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  if (len >= 2 && (!text[0] || !text[1])) return luaL_error(L, errors::k_utf16);
  Parser p{text, text, 0};
  Lexeme t{};
  next_token(L, p, t);
  value(L, p, t);
  next_token(L, p, t);
  if (t.type != t_end) parse_error(L, "the end", t);
  return 1;
}

}  // namespace nodemcu_emu::cjson
