#include "core/trace.hpp"

namespace nodemcu_emu::core {

namespace {
void put_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}
}  // namespace

Trace::~Trace() {
  if (owns_ && out_) std::fclose(out_);
}

bool Trace::open(const std::string& file, bool json) {
  json_ = json;
  if (file.empty()) {
    out_ = stderr;
    return true;
  }
  out_ = std::fopen(file.c_str(), "w");
  owns_ = out_ != nullptr;
  return out_ != nullptr;
}

void Trace::emit(Micros t, std::string_view subject, std::string_view event,
                 std::initializer_list<Field> fields) {
  for (Sink* sink : sinks_) sink->on_event(t, subject, event, fields);
  if (!out_) return;
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%lld.%06lld", static_cast<long long>(t.count() / 1000000),
                static_cast<long long>(t.count() % 1000000));
  std::string line;
  if (json_) {
    line = "{\"t\":";
    line += stamp;
    line += ",\"obj\":";
    put_json_string(line, subject);
    line += ",\"ev\":";
    put_json_string(line, event);
    for (const auto& f : fields) {
      line += ',';
      put_json_string(line, f.key);
      line += ':';
      if (auto* n = std::get_if<long long>(&f.value))
        line += std::to_string(*n);
      else
        put_json_string(line, std::get<std::string_view>(f.value));
    }
    line += "}\n";
  } else {
    line = "[";
    line += stamp;
    line += "] ";
    line += subject;
    line += ' ';
    line += event;
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      if (auto* n = std::get_if<long long>(&f.value))
        line += std::to_string(*n);
      else
        line += std::get<std::string_view>(f.value);
    }
    line += '\n';
  }
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace nodemcu_emu::core
