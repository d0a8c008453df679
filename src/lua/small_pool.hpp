// Where a Lua state's small objects live: strings, tables, closures, upvalues and userdata of
// at most k_pooled bytes come from 64 KiB slabs carved by size class (8-byte steps up to 256
// bytes, 64-byte steps up to 2 KiB: a received TCP frame of 1460 bytes is a 1484-byte string,
// and malloc is slowest at that size, beyond its per-thread cache), with no header per object — Lua passes every block's size back when it frees or resizes it, so the
// allocator need not store it. A malloc'd block carries 8 bytes of header and rounds to 16:
// an upvalue (40 bytes) takes 48 there, a table (64) 80. Per idle connection of bench/echo.lua
// that is ~0.1 KiB (docs/performance.md, hold), and a free list is cheaper than malloc.
//
// Memory of a size class is reused by that class only, and slabs go back when the state closes.
// Under AddressSanitizer every block is the system allocator's, so that ASan still sees a use
// after free of Lua memory by native code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace nodemcu_emu::lua {

// Size classes: 8-byte steps (Lua 5.1 aligns to double/pointer/long) up to 256 bytes, then
// 64-byte steps.
namespace pool_class {
inline constexpr std::size_t k_step = 8;
inline constexpr std::size_t k_fine = 256;
inline constexpr std::size_t k_coarse_step = 64;
inline constexpr std::size_t k_fine_classes = k_fine / k_step;
constexpr std::size_t of(std::size_t n) {
  if (n <= k_fine) return (n + k_step - 1) / k_step - 1;
  return k_fine_classes + (n - k_fine + k_coarse_step - 1) / k_coarse_step - 1;
}
constexpr std::size_t bytes(std::size_t c) {
  if (c < k_fine_classes) return (c + 1) * k_step;
  return k_fine + (c - k_fine_classes + 1) * k_coarse_step;
}
// Every size fits its class's blocks, which are the smallest that fit.
constexpr bool fit(std::size_t largest) {
  for (std::size_t n = 1; n <= largest; ++n) {
    std::size_t c = of(n);
    if (bytes(c) < n || (c > 0 && bytes(c - 1) >= n)) return false;
  }
  return true;
}
static_assert(fit(2048));
}  // namespace pool_class

class SmallPool {
 public:
#if defined(__SANITIZE_ADDRESS__)
  static constexpr std::size_t k_pooled = 0;
#else
  static constexpr std::size_t k_pooled = 2048;
#endif
  static constexpr std::size_t k_slab = 64 * 1024;

  SmallPool() = default;
  SmallPool(const SmallPool&) = delete;
  SmallPool& operator=(const SmallPool&) = delete;
  ~SmallPool() {
    while (slabs_ != nullptr) std::free(std::exchange(slabs_, slabs_->next));
  }

  // Lua's realloc contract: `ptr` null for a new block, `osize` its current size otherwise;
  // `nsize` > 0. Null when the system has no memory (the old block is then untouched).
  void* resize(void* ptr, std::size_t osize, std::size_t nsize) {
    bool new_small = nsize <= k_pooled;
    if (ptr == nullptr) return new_small ? take(nsize) : std::malloc(nsize);
    bool old_small = osize <= k_pooled;
    if (old_small && new_small && pool_class::of(osize) == pool_class::of(nsize)) return ptr;
    if (!old_small && !new_small) return std::realloc(ptr, nsize);
    void* p = new_small ? take(nsize) : std::malloc(nsize);
    if (p == nullptr) return nullptr;
    std::memcpy(p, ptr, osize < nsize ? osize : nsize);
    release(ptr, osize);
    return p;
  }

  void release(void* ptr, std::size_t size) {
    if (ptr == nullptr) return;
    if (size > k_pooled) return std::free(ptr);
    auto* f = static_cast<Free*>(ptr);
    Free*& head = free_[pool_class::of(size)];
    f->next = head;
    head = f;
  }

 private:
  struct Free {
    Free* next;
  };
  struct alignas(16) Slab {
    Slab* next;
  };

  void* take(std::size_t n) {
    std::size_t c = pool_class::of(n);
    if (Free* f = free_[c]) {
      free_[c] = f->next;
      return f;
    }
    std::size_t bytes = pool_class::bytes(c);
    if (static_cast<std::size_t>(end_ - cursor_) < bytes) {
      // The slab's tail (less than one object of this class) is left unused. Its first bytes
      // link it to the previous slab.
      auto* slab = static_cast<Slab*>(std::malloc(k_slab));
      if (slab == nullptr) return nullptr;
      slab->next = slabs_;
      slabs_ = slab;
      cursor_ = reinterpret_cast<char*>(slab) + sizeof(Slab);
      end_ = reinterpret_cast<char*>(slab) + k_slab;
    }
    void* p = cursor_;
    cursor_ += bytes;
    return p;
  }

  std::array<Free*, pool_class::of(k_pooled > 0 ? k_pooled : 1) + 1> free_{};
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  Slab* slabs_ = nullptr;
};

}  // namespace nodemcu_emu::lua
