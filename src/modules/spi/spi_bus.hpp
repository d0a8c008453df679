// The HSPI master as the spi module drives it (driver/spi.c), over the board's models: no Lua.
// The 512-bit data buffer (W0..W15) is one bit stream, most significant bit first, shared by
// MOSI and MISO as on the chip. A transaction clocks command, address, MOSI, dummy and MISO
// phases as one stream of bytes to every selected model: those whose chip-select pin is low
// (Board::pin_changed) and those on the hardware CS, which is asserted around each
// transaction. With nobody selected MISO floats high: reads are all ones.
#pragma once

#include <array>
#include <cstdint>

#include "core/board/board.hpp"

namespace nodemcu_emu::modules::spi {

class SpiBus {
 public:
  static constexpr int k_buffer_bits = 512;

  // `wired`: the HSPI, where models attach (`spi:N`); the flash's own bus (spi 0) is not.
  SpiBus(const core::board::Board& board, bool wired) : board_(board), wired_(wired) {}

  // Bits [offset, offset + bitlen) of the buffer; bitlen 1..32, the range inside 512 bits.
  void set_bits(int offset, int bitlen, std::uint32_t value);
  std::uint32_t get_bits(int offset, int bitlen) const;
  // Whole bytes from the start of the buffer (set_mosi/get_miso with a string).
  void set_bytes(const char* data, std::size_t len);
  void get_bytes(char* out, std::size_t len) const;

  // spi_mast_transaction: miso_bitlen < 0 reads MISO during the MOSI phase (full duplex).
  // What was received lands at the start of the buffer.
  void transaction(int cmd_bitlen, std::uint32_t cmd, int addr_bitlen, std::uint32_t addr,
                   int mosi_bitlen, int dummy_bitlen, int miso_bitlen);
  // platform_spi_send_recv: `bitlen` bits out, as many back.
  std::uint32_t send_recv(int bitlen, std::uint32_t data);

  long transactions() const { return transactions_; }

 private:
  const core::board::Board& board_;
  bool wired_;
  std::array<std::uint8_t, k_buffer_bits / 8> buffer_{};
  long transactions_ = 0;
};

}  // namespace nodemcu_emu::modules::spi
