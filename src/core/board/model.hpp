// A simulated device on the board (a sensor on the i2c bus, a probe on a 1-wire pin): plain C++,
// no Lua. What a bus speaks to it is a separate interface (bus_targets.hpp, and one per bus the
// pins modules add); a model implements the ones it answers on. Its physical inputs (temperature,
// humidity, …) are Readings a test or the command line sets or scripts over (virtual) time.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"

namespace nodemcu_emu::core::board {

// A physical quantity over time: a constant, or keyframes (absolute Clock times) interpolated
// linearly or held (step) between them; before the first keyframe the first value holds, after
// the last the last one.
class Readings {
 public:
  enum class Shape { linear, step };
  struct Keyframe {
    Micros at;
    double value;
  };

  // The model names a quantity it senses, with its power-on value.
  void declare(std::string name, double initial);
  bool has(std::string_view name) const;
  // Sets a constant value (drops a script). False when the model has no such quantity.
  bool set(std::string_view name, double value);
  // Replaces the value by keyframes (sorted by time here). False when unknown or empty.
  bool script(std::string_view name, std::vector<Keyframe> frames, Shape shape);
  // The value at time t. An undeclared name reads 0.
  double at(std::string_view name, Micros t) const;
  // Names in declaration order (for a model's state and the docs).
  const std::vector<std::string>& names() const { return order_; }

 private:
  struct Track {
    std::vector<Keyframe> frames;  // one frame at time 0 for a constant
    Shape shape = Shape::linear;
  };
  std::map<std::string, Track, std::less<>> tracks_;
  std::vector<std::string> order_;
};

// A model's state as a test reads it: named numbers, strings (register or memory contents as
// bytes) and flags, in a stable order.
using StateValue = std::variant<double, std::string, bool>;
using State = std::vector<std::pair<std::string, StateValue>>;

class Model {
 public:
  explicit Model(const Clock& clock) : clock_(clock) {}
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // The kind's registered name ("bme280").
  virtual std::string_view kind() const = 0;
  // An option from the spec or emu.attach that is not a reading ("page=32"): returns an error
  // text, empty when accepted. The default accepts none.
  virtual std::string configure(std::string_view key, std::string_view value);
  // Appends what a test may inspect (registers, memory, output pins). Readings are added by
  // state() itself.
  virtual void describe(State& out) const { (void)out; }

  State state() const;
  Readings& readings() { return readings_; }
  const Readings& readings() const { return readings_; }

  // The bus interface `I` this model answers on, or nullptr.
  template <class I>
  I* as() {
    return dynamic_cast<I*>(this);
  }

 protected:
  Micros now() const { return clock_.now(); }
  double reading(std::string_view name) const { return readings_.at(name, now()); }

 private:
  const Clock& clock_;
  Readings readings_;
};

}  // namespace nodemcu_emu::core::board
