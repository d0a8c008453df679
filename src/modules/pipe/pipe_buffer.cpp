#include "modules/pipe/pipe_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace nodemcu_emu::modules::pipe {

namespace {
constexpr std::size_t k_size = PipeBuffer::k_record_size;
}

std::optional<std::string> PipeBuffer::read(Until until) {
  std::optional<std::string> out;
  std::size_t left = until.n;  // bytes still wanted (count reads)
  bool done = until.kind == Until::count && left == 0;
  while (!records_.empty() && !done) {
    Record& r = records_.front();
    std::size_t take = 0, used = 0;
    if (until.kind == Until::count) {
      take = used = std::min(left, r.used());
      left -= used;
      done = left == 0;
    } else {
      const char* begin = r.buf.data() + r.start;
      const char* stop = r.buf.data() + r.end;
      const char* hit = std::find(begin, stop, until.delim);
      used = static_cast<std::size_t>(hit - begin);
      take = used;
      if (hit != stop) {
        ++used;  // the delimiter leaves the pipe either way
        if (until.kind == Until::delimiter_kept) ++take;
        done = true;
      }
    }
    if (!out) out.emplace();
    out->append(r.buf.data() + r.start, take);
    r.start += used;
    if (r.start == r.end) records_.pop_front();
  }
  return out;
}

bool PipeBuffer::write(std::string_view bytes) {
  if (bytes.empty()) return false;
  if (records_.empty()) records_.emplace_back();
  Record* r = &records_.back();
  const char* s = bytes.data();
  std::size_t l = bytes.size();
  for (;;) {
    std::size_t used = r->used();
    if (used == k_size) {
      r = &records_.emplace_back();
      used = 0;
    } else if (k_size - r->end < l) {
      // Not enough room after the data: slide it to the front of the record first.
      std::memmove(r->buf.data(), r->buf.data() + r->start, used);
      r->start = 0;
      r->end = used;
    }
    std::size_t room = k_size - used;
    if (l <= room) break;
    std::memcpy(r->buf.data() + r->end, s, room);  // top the record off, go on in a new one
    r->end += room;
    l -= room;
    s += room;
  }
  std::memcpy(r->buf.data() + r->end, s, l);
  r->end += l;
  return true;
}

void PipeBuffer::unread(std::string_view bytes) {
  if (bytes.empty()) return;
  if (records_.empty()) records_.emplace_back();
  Record* r = &records_.front();
  const char* s = bytes.data();
  std::size_t l = bytes.size();
  for (;;) {
    std::size_t used = r->used();
    std::size_t room = k_size - used;
    if (used == k_size) {
      r = &records_.emplace_front();
      room = k_size;
      r->start = r->end = k_size;  // filled from the right, leftwards
    } else if (r->start < l) {
      // Not enough room before the data: slide it to the end of the record first.
      std::memmove(r->buf.data() + room, r->buf.data() + r->start, used);
      r->start = room;
      r->end = k_size;
    }
    if (l <= room) break;
    l -= room;  // the string's tail fills this record; its head goes on in a new one
    std::memcpy(r->buf.data(), s + l, room);
    r->start = 0;
  }
  r->start -= l;
  std::memcpy(r->buf.data() + r->start, s, l);
}

}  // namespace nodemcu_emu::modules::pipe
