// sjson::StreamParser: chunks in, final events out once each; errors named as jsonsl names
// them; what jsonsl (as sjson sets it up) accepts as a document.
#include "modules/sjson/json_stream.hpp"

#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>

using nodemcu_emu::sjson::Event;
using nodemcu_emu::sjson::EventKind;
using nodemcu_emu::sjson::EventSink;
using nodemcu_emu::sjson::StreamParser;
using Status = StreamParser::Status;

namespace {

// Writes each event as a short token: { } [ ] k:name s:text n:text T F N.
struct Recorder : EventSink {
  std::string trace;
  int stop_after = -1;
  bool on_event(const Event& e) override {
    if (stop_after == 0) return false;
    if (stop_after > 0) --stop_after;
    switch (e.kind) {
      case EventKind::start_object:
        trace += "{";
        break;
      case EventKind::end_object:
        trace += "}";
        break;
      case EventKind::start_array:
        trace += "[";
        break;
      case EventKind::end_array:
        trace += "]";
        break;
      case EventKind::key:
        trace += "k:" + std::string(e.text);
        break;
      case EventKind::string:
        trace += "s:" + std::string(e.text);
        break;
      case EventKind::number:
        trace += "n:" + std::string(e.text);
        break;
      case EventKind::boolean_true:
        trace += "T";
        break;
      case EventKind::boolean_false:
        trace += "F";
        break;
      case EventKind::null:
        trace += "N";
        break;
    }
    trace += ' ';
    return true;
  }
};

Status feed_all(StreamParser& p, Recorder& r, std::initializer_list<std::string> chunks) {
  Status s = Status::incomplete;
  for (const auto& c : chunks) s = p.feed(c, r);
  return s;
}

std::string error_of(const std::string& text) {
  StreamParser p;
  Recorder r;
  REQUIRE(p.feed(text, r) == Status::error);
  return p.error();
}

std::string nested(int depth, const std::string& inner) {
  return std::string(static_cast<std::size_t>(depth), '[') + inner +
         std::string(static_cast<std::size_t>(depth), ']');
}

}  // namespace

TEST_CASE("a whole document gives its events in order", "[sjson]") {
  StreamParser p;
  Recorder r;
  CHECK(p.feed(R"({"a":[1,2.5,"x",true,false,null]})", r) == Status::complete);
  CHECK(r.trace == "{ k:a [ n:1 n:2.5 s:x T F N ] } ");
}

TEST_CASE("a number cut by a chunk boundary arrives once, whole", "[sjson]") {
  StreamParser p;
  Recorder r;
  CHECK(p.feed("[10, 1", r) == Status::incomplete);
  CHECK(r.trace == "[ n:10 ");
  CHECK(p.feed("1", r) == Status::incomplete);
  CHECK(p.feed(", \"foo\"]", r) == Status::complete);
  CHECK(r.trace == "[ n:10 n:11 s:foo ] ");
}

TEST_CASE("a document fed one byte at a time gives the same events", "[sjson]") {
  std::string text = R"( {"k" : ["a\"b\u00e9", -1.5e3, {"n":null}], "t":true} )";
  StreamParser p;
  Recorder r;
  Status s = Status::incomplete;
  for (char c : text) s = p.feed(std::string(1, c), r);
  CHECK(s == Status::complete);
  CHECK(r.trace == "{ k:k [ s:a\"b\xc3\xa9 n:-1.5e3 { k:n N } ] k:t T } ");
}

TEST_CASE("text after the document is ignored", "[sjson]") {
  StreamParser p;
  Recorder r;
  CHECK(p.feed("{} trailing garbage", r) == Status::complete);
}

TEST_CASE("empty or blank text, or a cut token, is incomplete", "[sjson]") {
  for (std::string text : {"", "  \n", "[", "{\"a\"", "[tru", "[\"abc", "[\"\\u00", "[1.", "[-"}) {
    INFO(text);
    StreamParser p;
    Recorder r;
    CHECK(p.feed(text, r) == Status::incomplete);
  }
}

TEST_CASE("a scalar is never a document: it waits, or refuses what follows", "[sjson]") {
  StreamParser p;
  Recorder r;
  CHECK(feed_all(p, r, {"5", "  "}) == Status::incomplete);
  CHECK(r.trace.empty());
  CHECK(error_of("5 6") == "CANT_INSERT");
  CHECK(error_of("true {}") == "CANT_INSERT");
  CHECK(error_of("\"text\"") == "STRING_OUTSIDE_CONTAINER");
}

TEST_CASE("errors carry jsonsl's names", "[sjson]") {
  CHECK(error_of("[1,2,]") == "TRAILING_COMMA");
  CHECK(error_of("{\"a\":1,}") == "TRAILING_COMMA");
  CHECK(error_of("[1}") == "BRACKET_MISMATCH");
  CHECK(error_of("{\"a\":1]") == "BRACKET_MISMATCH");
  CHECK(error_of("{\"a\":}") == "VALUE_EXPECTED");
  CHECK(error_of("{\"a\" \"b\"}") == "MISSING_TOKEN");
  CHECK(error_of("{\"a\" 1}") == "CANT_INSERT");
  CHECK(error_of("[1 2]") == "CANT_INSERT");
  CHECK(error_of("{1:2}") == "HKEY_EXPECTED");
  CHECK(error_of("[tx]") == "SPECIAL_EXPECTED");
  CHECK(error_of("[x]") == "SPECIAL_EXPECTED");
  CHECK(error_of("[1,,2]") == "STRAY_TOKEN");
  CHECK(error_of("[\"a\nb\"]") == "WEIRD_WHITESPACE");
  CHECK(error_of("[\"\\x\"]") == "ESCAPE_INVALID");
  CHECK(error_of(std::string("[1,\0]", 5)) == "FOUND_NULL_BYTE");
  CHECK(error_of("]") == "BRACKET_MISMATCH");
}

TEST_CASE("nesting stops at jsonsl's 20 levels, scalars counting as one", "[sjson]") {
  StreamParser ok19;
  Recorder r;
  CHECK(ok19.feed(nested(19, ""), r) == Status::complete);
  CHECK(ok19.error().empty());
  CHECK(error_of(nested(20, "")) == "LEVELS_EXCEEDED");
  CHECK(error_of(nested(19, "1")) == "LEVELS_EXCEEDED");
  StreamParser ok18;
  CHECK(ok18.feed(nested(18, "1"), r) == Status::complete);
}

TEST_CASE("events are delivered once although each feed parses again", "[sjson]") {
  StreamParser p;
  Recorder r;
  CHECK(feed_all(p, r, {"[\"a\",", "\"b\",", "\"c\"", "]"}) == Status::complete);
  CHECK(r.trace == "[ s:a s:b s:c ] ");
}

TEST_CASE("a sink that refuses an event stops the parse", "[sjson]") {
  StreamParser p;
  Recorder r;
  r.stop_after = 2;
  CHECK(p.feed("[1,2,3]", r) == Status::stopped);
  CHECK(r.trace == "[ n:1 ");
}
