#include "modules/sjson/json_stream.hpp"

#include <rapidjson/error/error.h>
#include <rapidjson/reader.h>

#include <optional>

namespace nodemcu_emu::sjson {

namespace {

constexpr std::string_view k_whitespace = " \t\r\n";

// RapidJSON's input stream over the buffered text. It records whether the parser looked past
// the end: an error after that means "more text is needed", not "bad text".
struct TextStream {
  using Ch = char;
  std::string_view text;
  std::size_t pos = 0;  // where the parse starts, then how far it got
  bool hit_end = false;

  Ch Peek() {
    if (pos < text.size()) return text[pos];
    hit_end = true;
    return '\0';
  }
  Ch Take() {
    Ch c = Peek();
    if (pos < text.size()) ++pos;
    return c;
  }
  std::size_t Tell() const { return pos; }
  // Output side of the stream concept: unused by a non-insitu parse.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }
};

enum class Container { none, object, array };

bool is_special_start(char c) {
  return c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

// jsonsl's Special_Endings: the characters that end a number or literal (and make it final).
bool is_special_end(char c) {
  return k_whitespace.find(c) != std::string_view::npos ||
         std::string_view("\",:[]{}\\").find(c) != std::string_view::npos;
}

constexpr unsigned k_parse_flags =
    rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseNumbersAsStringsFlag;

// Turns RapidJSON's SAX calls into Events: counts them, skips the ones already delivered,
// applies jsonsl's level limit.
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  // `root_scalars`: a number or literal outside any container is delivered at level 1, as jsonsl
  // does for a value after the document (follow_on).
  Handler(TextStream& stream, EventSink& sink, std::size_t already_delivered, bool root_scalars = false)
      : stream_(stream), sink_(sink), skip_(already_delivered), root_scalars_(root_scalars) {}

  bool Null() { return scalar(EventKind::null, {}); }
  bool Bool(bool b) { return scalar(b ? EventKind::boolean_true : EventKind::boolean_false, {}); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    if (stream_.hit_end) return true;  // "12" at the end of the text may be "123" next time
    return scalar(EventKind::number, {s, n});
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return scalar(EventKind::string, {s, n});
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    return emit(EventKind::key, {s, n}, depth() + 1);
  }
  bool StartObject() { return open(EventKind::start_object, Container::object); }
  bool StartArray() { return open(EventKind::start_array, Container::array); }
  bool EndObject(rapidjson::SizeType) { return close(EventKind::end_object); }
  bool EndArray(rapidjson::SizeType) { return close(EventKind::end_array); }

  std::size_t delivered = 0;
  bool levels_exceeded = false;
  bool sink_stopped = false;
  Container innermost() const { return open_.empty() ? Container::none : open_.back(); }

 private:
  int depth() const { return static_cast<int>(open_.size()); }

  bool emit(EventKind kind, std::string_view text, int level) {
    if (level > k_levels_max - 1) {  // jsonsl's STACK_PUSH refuses a level past levels_max-1
      levels_exceeded = true;
      return false;
    }
    if (seen_++ < skip_) return true;
    if (!sink_.on_event({kind, text, level})) {
      sink_stopped = true;
      return false;
    }
    ++delivered;
    return true;
  }
  // A scalar outside any container is not delivered: sjson never completes such a document.
  // After the document it is, once jsonsl pops it: when a special-ending character follows.
  bool scalar(EventKind kind, std::string_view text) {
    if (depth() > 0) return emit(kind, text, depth() + 1);
    if (!root_scalars_) return true;
    return stream_.pos < stream_.text.size() && is_special_end(stream_.text[stream_.pos]) &&
           emit(kind, text, 1);
  }
  bool open(EventKind kind, Container c) {
    bool ok = emit(kind, {}, depth() + 1);
    open_.push_back(c);
    return ok;
  }
  bool close(EventKind kind) {
    int level = depth();
    open_.pop_back();
    return emit(kind, {}, level);
  }

  TextStream& stream_;
  EventSink& sink_;
  std::size_t skip_;
  bool root_scalars_;
  std::size_t seen_ = 0;
  std::vector<Container> open_;
};

// jsonsl's name for the error RapidJSON found at `offset` (jsonsl_strerror). jsonsl decides
// char by char, so the name follows from the offending character and the open container.
std::string error_name(rapidjson::ParseErrorCode code, std::size_t offset, std::string_view text,
                       Container container) {
  using namespace rapidjson;
  if (offset < text.size() && text[offset] == '\0') return "FOUND_NULL_BYTE";
  char c = offset < text.size() ? text[offset] : '\0';
  auto byte = static_cast<unsigned char>(c);
  switch (code) {
    case kParseErrorStringEscapeInvalid:  // RapidJSON's code for raw control characters too
      return byte < 0x20 ? "WEIRD_WHITESPACE" : "ESCAPE_INVALID";
    case kParseErrorStringUnicodeEscapeInvalidHex:
      return "UESCAPE_TOOSHORT";
    case kParseErrorStringUnicodeSurrogateInvalid:
      return "INVALID_CODEPOINT";
    case kParseErrorNumberTooBig:
    case kParseErrorNumberMissFraction:
    case kParseErrorNumberMissExponent:
      return "INVALID_NUMBER";
    default:
      break;
  }
  if (byte < 0x20) return "WEIRD_WHITESPACE";
  if (c == ']' || c == '}') {
    std::size_t prev = text.find_last_not_of(k_whitespace, offset == 0 ? 0 : offset - 1);
    if (offset > 0 && prev != std::string_view::npos && text[prev] == ',') return "TRAILING_COMMA";
    bool matches = c == ']' ? container == Container::array : container == Container::object;
    return matches ? "VALUE_EXPECTED" : "BRACKET_MISMATCH";
  }
  if (c == ',' || c == ':') return "STRAY_TOKEN";
  bool value_start = is_special_start(c) || c == '{' || c == '[';
  switch (code) {
    case kParseErrorObjectMissName:
      return value_start ? "HKEY_EXPECTED" : "SPECIAL_EXPECTED";
    case kParseErrorObjectMissColon:
      if (c == '"') return "MISSING_TOKEN";
      [[fallthrough]];
    case kParseErrorObjectMissCommaOrCurlyBracket:
    case kParseErrorArrayMissCommaOrSquareBracket:
      if (c == '"') return "STRAY_TOKEN";
      return value_start ? "CANT_INSERT" : "SPECIAL_EXPECTED";
    case kParseErrorValueInvalid:
      return c == '-' || (c >= '0' && c <= '9') ? "INVALID_NUMBER" : "SPECIAL_EXPECTED";
    default:
      return "SPECIAL_EXPECTED";
  }
}

}  // namespace

StreamParser::Status StreamParser::feed(std::string_view chunk, EventSink& sink) {
  buffer_.append(chunk);
  std::size_t first = buffer_.find_first_not_of(k_whitespace);
  if (first == std::string::npos) return Status::incomplete;
  if (buffer_[first] == '"') {  // jsonsl: a string needs a container to go into
    error_ = "STRING_OUTSIDE_CONTAINER";
    return Status::error;
  }
  bool container_root = buffer_[first] == '{' || buffer_[first] == '[';

  TextStream stream{buffer_};
  Handler handler(stream, sink, delivered_);
  rapidjson::Reader reader;
  rapidjson::ParseResult result = reader.Parse<k_parse_flags>(stream, handler);
  delivered_ += handler.delivered;

  if (handler.sink_stopped) return Status::stopped;
  if (handler.levels_exceeded) {
    error_ = "LEVELS_EXCEEDED";
    return Status::error;
  }
  if (!result.IsError()) {
    if (container_root) return follow_on(stream.pos, sink) ? Status::complete : Status::stopped;
    // A number or literal as the whole text: jsonsl keeps waiting for a container, and
    // refuses anything that follows it.
    if (buffer_.find_first_not_of(k_whitespace, stream.pos) == std::string::npos)
      return Status::incomplete;
    error_ = "CANT_INSERT";
    return Status::error;
  }
  if (stream.hit_end) return Status::incomplete;
  error_ = error_name(result.Code(), result.Offset(), buffer_, handler.innermost());
  return Status::error;
}

bool StreamParser::follow_on(std::size_t pos, EventSink& sink) {
  for (;;) {
    pos = buffer_.find_first_not_of(k_whitespace, pos);
    if (pos == std::string::npos || buffer_[pos] != ',') return true;
    pos = buffer_.find_first_not_of(k_whitespace, pos + 1);
    if (pos == std::string::npos) return true;
    char c = buffer_[pos];
    if (c != '{' && c != '[' && !is_special_start(c)) return true;
    TextStream stream{buffer_, pos};
    Handler handler(stream, sink, 0, true);
    rapidjson::Reader reader;
    rapidjson::ParseResult result = reader.Parse<k_parse_flags>(stream, handler);
    if (handler.sink_stopped) return false;
    // An error, a value cut off by the end of the text, too many levels: jsonsl stops there,
    // and what was stored so far stays.
    if (result.IsError() || handler.levels_exceeded) return true;
    pos = stream.pos;
  }
}

}  // namespace nodemcu_emu::sjson
