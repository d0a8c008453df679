// Incremental JSON reading for sjson's decoder, on RapidJSON's SAX reader.
//
// The firmware feeds chunks to jsonsl, a push parser. RapidJSON pulls from a stream, so each
// feed parses the buffered text again from the start and hands the sink only the events that
// are new and final (a number at the very end of the text may still grow: it waits). A parse
// that stops because the text ended is "incomplete"; any other stop is an error named with
// jsonsl's error name. Cost: quadratic in the number of chunks (fine at the device's sizes).
//
// What jsonsl (as sjson configures it) accepts is also modelled: only an object or an array is
// a document, nesting is limited to 20 levels (scalars and keys take a level too). Text after
// the document in the same chunk is read on as jsonsl reads it (follow_on), and later chunks
// are never fed (sjson stops feeding a complete decoder).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nodemcu_emu::sjson {

enum class EventKind {
  start_object,
  end_object,
  start_array,
  end_array,
  key,
  string,
  number,  // text: the number as written (the firmware converts it with lua_tonumber)
  boolean_true,
  boolean_false,
  null
};

struct Event {
  EventKind kind;
  std::string_view text;  // key, string, number; valid during on_event only
  int level;              // jsonsl's level of the value: the document's container is 1
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // false stops the parse (the sink's own failure).
  virtual bool on_event(const Event& event) = 0;
};

// jsonsl's default levels (sjson's DEFAULT_DEPTH; the depth option never reaches it).
constexpr int k_levels_max = 20;

class StreamParser {
 public:
  enum class Status { incomplete, complete, error, stopped };

  // Adds `chunk` to the text and delivers the events that became final.
  Status feed(std::string_view chunk, EventSink& sink);
  // After Status::error: jsonsl's name for it ("TRAILING_COMMA", "LEVELS_EXCEEDED", ...).
  const std::string& error() const { return error_; }
  // The buffered text is no longer needed once the document is complete.
  void release() {
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

 private:
  // jsonsl after the document, at level 0: sjson's error_callback ignores its errors once the
  // document is complete, so it stops silently at the first one; but a ',' lets one more
  // value in at level 1, which sjson stores as the result again ("[1],[2]" decodes to {2},
  // "[1],2 " to 2). Delivers such values from `pos` on; false when the sink stopped.
  bool follow_on(std::size_t pos, EventSink& sink);

  std::string buffer_;
  std::size_t delivered_ = 0;
  std::string error_;
};

}  // namespace nodemcu_emu::sjson
