// What the command line (or a C++ host) asks of the emulator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nodemcu_emu {

// What happens where the device would reboot after an error (net.md 0.4, tmr.md).
enum class OnError { panic, restart, continue_ };

// How a server's inactivity timeout is modelled (net.md 0.1).
enum class TimeoutModel { idle, keepalive };

// lwIP-like resource limits (net.md 0.5, 10). 0 means unlimited.
struct Limits {
  int tcp = 5;          // established TCP connections (MEMP_NUM_TCP_PCB)
  int dns_table = 4;    // DNS queries in flight (DNS_TABLE_SIZE)
  int dns_servers = 2;  // DNS_MAX_SERVERS
  int igmp = 8;         // MEMP_NUM_IGMP_GROUP
};

// The access point the emulated station finds (--wifi, others.md wifi).
struct WifiScenario {
  enum class Network { ok, wrong_password, no_ap } network = Network::ok;
  std::optional<double> drop_after_seconds;  // the AP vanishes this long after start
};

// One `-e` or `-l` of lua.c, run in the order given.
struct PreludeAction {
  enum Kind { execute, require } kind;
  std::string text;
};

struct Options {
  // --- lua.c-compatible part ---
  std::vector<PreludeAction> prelude;
  bool interactive = false;       // -i
  bool show_version = false;      // -v
  bool script_from_stdin = false; // script is "-"
  std::optional<std::string> script;
  std::vector<std::string> argv;  // the whole command line, for the global `arg`
  int script_index = -1;          // index of the script in argv (arg[0]); -1 when none

  // --- the emulated device ---
  std::string fs_dir = ".";
  bool boot = false;
  bool virtual_time = false;
  std::optional<double> run_for_seconds;
  OnError on_error = OnError::panic;
  bool trace = false;
  bool trace_json = false;
  std::string trace_file;  // empty: stderr
  std::optional<std::size_t> heap_bytes;
  double idle_grace_ms = 2.0;  // virtual time: how long real I/O may be awaited before time jumps
  // Virtual time: how long (real ms) an outside peer's last activity holds the clock still.
  double peer_grace_ms = 1000.0;
  // --coverage[=FILE]: LCOV of the Lua lines run, written when the emulator ends.
  std::optional<std::string> coverage_file;
  // --epoch: the RTC's time of day at power-on (seconds since 1970). Unset, as on the chip,
  // unless given; epoch_now takes the host's calendar time instead.
  std::optional<double> epoch_seconds;
  bool epoch_now = false;
  // --host-libs: io, os, package.loadlib and the host's require searchers, which the device
  // does not have (docs/security.md). For test code that drives the host.
  bool host_libs = false;
  // --serial[=PATH]: UART0 is a pseudo-terminal (linked at PATH when given) instead of
  // stdin/stdout: the board's console for nodemcu-tool, ESPlorer, picocom.
  bool serial = false;
  std::string serial_link;
  // --lfs-size, --lfs (profile 3): the LFS partition's size (0: none) and a folder of Lua
  // sources loaded into it at power-on (docs/firmware-3.md).
  std::uint32_t lfs_size = 0;
  std::string lfs_dir;

  // --- net ---
  int firmware = 2;
  TimeoutModel timeout_model = TimeoutModel::idle;
  bool strict = false;
  std::size_t frame_size = 1460;
  Limits limits;
  std::string bind_address = "127.0.0.1";
  std::map<std::uint16_t, std::uint16_t> port_map;
  std::string hosts_file;

  // --- peripherals ---
  WifiScenario wifi;       // --wifi
  int adc_value = 512;     // --adc N: what adc.read(0) samples (0..1024)
  bool adc_vdd33 = false;  // --adc vdd33: the ADC measures the supply (adc.readvdd33)
  // --attach SPEC (repeatable): simulated devices wired at power-on (docs/peripherals.md).
  // Checked when parsed; wired in the order given.
  std::vector<std::string> attach;
};

}  // namespace nodemcu_emu
