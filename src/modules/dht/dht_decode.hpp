// What the firmware's DHT library (dht/dht.c) makes of the 5 bytes, per profile and per read
// function: the DHT11 guess of dht.read, the checksums, the sign handling.
#pragma once

#include <array>
#include <cstdint>

namespace nodemcu_emu::modules::dht {

using Frame = std::array<std::uint8_t, 5>;

constexpr int k_ok = 0, k_error_checksum = -1, k_error_timeout = -2;
constexpr double k_invalid = -999;

// read: dht.read; read11; readxx (profile 1, 2: dht_read); read12 (profile 3)
enum class Method { read, read11, readxx, read12 };

struct Reading {
  int status = k_error_timeout;
  double temperature = k_invalid;
  double humidity = k_invalid;
};

// The start pulse each method sends, in ms.
int wakeup_ms(Method method, int profile);
Reading decode(const Frame& bytes, Method method, int profile);

}  // namespace nodemcu_emu::modules::dht
