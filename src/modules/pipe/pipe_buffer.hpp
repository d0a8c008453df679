// pipe's Lua-free core: a FIFO of bytes kept as a chain of records of at most 256 bytes.
//
// The firmware (app/modules/pipe.c) stores a pipe as a Lua array of LUAL_BUFFERSIZE (256)
// byte chunks; reads, writes and unreads move bytes between them with exactly the rules
// below. They are kept because a script can see them: pobj:nrec() counts the records, and the
// reader-task logic asks whether the pipe is empty.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace nodemcu_emu::modules::pipe {

class PipeBuffer {
 public:
  static constexpr std::size_t k_record_size = 256;  // LUAL_BUFFERSIZE of the firmware

  // What one read takes: `count` bytes, or up to a delimiter (stripped, or kept with "+").
  struct Until {
    enum Kind { count, delimiter, delimiter_kept } kind;
    std::size_t n = 0;    // for count
    char delim = '\n';    // for the delimiter kinds
  };

  // Takes a record from the head; nullopt when the pipe is empty. A record cut short by the
  // end of the pipe is still returned (it may be "" when the head byte is the delimiter).
  std::optional<std::string> read(Until until);
  // Appends at the tail; false for an empty string (the firmware then posts no reader).
  bool write(std::string_view bytes);
  // Puts bytes back at the head, ahead of everything else.
  void unread(std::string_view bytes);

  std::size_t records() const { return records_.size(); }
  bool empty() const { return records_.empty(); }

 private:
  struct Record {
    std::size_t start = 0, end = 0;
    std::array<char, k_record_size> buf{};
    std::size_t used() const { return end - start; }
  };
  std::deque<Record> records_;  // deque: references stay valid when records are added
};

}  // namespace nodemcu_emu::modules::pipe
