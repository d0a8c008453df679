#include "modules/spi/spi_bus.hpp"

#include <vector>

#include "core/board/bus_targets.hpp"

namespace nodemcu_emu::modules::spi {

namespace {

// A stream of bits, most significant first.
struct Bits {
  std::vector<bool> bits;
  void push(std::uint32_t value, int count) {
    for (int i = count - 1; i >= 0; --i) bits.push_back(((value >> i) & 1) != 0);
  }
};

}  // namespace

void SpiBus::set_bits(int offset, int bitlen, std::uint32_t value) {
  for (int i = 0; i < bitlen; ++i) {
    int at = offset + i;
    bool bit = ((value >> (bitlen - 1 - i)) & 1) != 0;
    auto mask = static_cast<std::uint8_t>(0x80 >> (at % 8));
    auto& byte = buffer_[static_cast<std::size_t>(at / 8)];
    byte = static_cast<std::uint8_t>(bit ? byte | mask : byte & ~mask);
  }
}

std::uint32_t SpiBus::get_bits(int offset, int bitlen) const {
  std::uint32_t v = 0;
  for (int i = 0; i < bitlen; ++i) {
    int at = offset + i;
    v = (v << 1) | ((buffer_[static_cast<std::size_t>(at / 8)] >> (7 - at % 8)) & 1u);
  }
  return v;
}

void SpiBus::set_bytes(const char* data, std::size_t len) {
  for (std::size_t i = 0; i < len && i < buffer_.size(); ++i)
    buffer_[i] = static_cast<std::uint8_t>(data[i]);
}

void SpiBus::get_bytes(char* out, std::size_t len) const {
  for (std::size_t i = 0; i < len && i < buffer_.size(); ++i) out[i] = static_cast<char>(buffer_[i]);
}

void SpiBus::transaction(int cmd_bitlen, std::uint32_t cmd, int addr_bitlen, std::uint32_t addr,
                         int mosi_bitlen, int dummy_bitlen, int miso_bitlen) {
  ++transactions_;
  Bits out;
  out.push(cmd, cmd_bitlen);
  out.push(addr, addr_bitlen);
  std::size_t mosi_from = out.bits.size();
  for (int i = 0; i < mosi_bitlen; ++i) out.push(get_bits(i, 1), 1);
  for (int i = 0; i < dummy_bitlen; ++i) out.push(1, 1);
  std::size_t miso_from = out.bits.size();
  int miso_bits = miso_bitlen;
  if (miso_bitlen < 0) {
    miso_from = mosi_from;  // full duplex: what came back while MOSI went out
    miso_bits = mosi_bitlen;
  } else {
    for (int i = 0; i < miso_bitlen; ++i) out.push(1, 1);
  }
  while (out.bits.size() % 8 != 0) out.bits.push_back(true);  // models speak whole bytes

  // The hardware CS frames this transaction; gpio chip-selects were set by the script.
  std::vector<std::shared_ptr<core::board::SpiTarget>> hw, selected;
  if (wired_) {
    hw = board_.at<core::board::SpiTarget>("spi", 0, std::nullopt);
    selected = hw;
    for (const auto& [at, target] : board_.on_bus<core::board::SpiTarget>("spi", 0))
      if (at.address && board_.pin_level(static_cast<int>(*at.address)) == 0) selected.push_back(target);
  }
  for (const auto& t : hw) t->spi_select(true);
  std::vector<bool> in;
  in.reserve(out.bits.size());
  for (std::size_t i = 0; i < out.bits.size(); i += 8) {
    std::uint8_t mosi = 0;
    for (std::size_t b = 0; b < 8; ++b) mosi = static_cast<std::uint8_t>(mosi << 1 | out.bits[i + b]);
    std::uint8_t miso = 0xff;  // pulled up; several drivers at once: a low wins
    for (const auto& t : selected) miso &= t->spi_transfer(mosi);
    for (int b = 7; b >= 0; --b) in.push_back(((miso >> b) & 1) != 0);
  }
  for (const auto& t : hw) t->spi_select(false);
  for (int i = 0; i < miso_bits && i < k_buffer_bits; ++i)
    set_bits(i, 1, in[miso_from + static_cast<std::size_t>(i)] ? 1 : 0);
}

std::uint32_t SpiBus::send_recv(int bitlen, std::uint32_t data) {
  if (bitlen <= 0 || bitlen > 32) return 0;
  set_bits(0, bitlen, data);
  transaction(0, 0, 0, 0, bitlen, 0, -1);
  return get_bits(0, bitlen);
}

}  // namespace nodemcu_emu::modules::spi
