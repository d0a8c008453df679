#include "core/trace_recording.hpp"

namespace nodemcu_emu::core {

TraceRecording::TraceRecording(Trace& trace, Filter filter)
    : trace_(&trace), filter_(std::move(filter)) {
  trace_->add_sink(this);
}

void TraceRecording::stop() {
  if (trace_) trace_->remove_sink(this);
  trace_ = nullptr;
}

void TraceRecording::on_event(Micros t, std::string_view subject, std::string_view event,
                              std::initializer_list<Trace::Field> fields) {
  if (filter_ && !filter_(subject)) return;
  Event& e = events_.emplace_back(Event{t, std::string(subject), std::string(event), {}});
  e.fields.reserve(fields.size());
  for (const auto& f : fields) {
    if (auto* n = std::get_if<long long>(&f.value))
      e.fields.emplace_back(std::string(f.key), *n);
    else
      e.fields.emplace_back(std::string(f.key), std::string(std::get<std::string_view>(f.value)));
  }
}

}  // namespace nodemcu_emu::core
