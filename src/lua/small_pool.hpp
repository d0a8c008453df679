// Where a Lua state's small objects live: strings, tables, closures, upvalues and userdata of
// at most k_pooled bytes come from 64 KiB slabs carved by size class (8-byte steps), with no
// header per object — Lua passes every block's size back when it frees or resizes it, so the
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

class SmallPool {
 public:
#if defined(__SANITIZE_ADDRESS__)
  static constexpr std::size_t k_pooled = 0;
#else
  static constexpr std::size_t k_pooled = 256;
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
    if (old_small && new_small && size_class(osize) == size_class(nsize)) return ptr;
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
    Free*& head = free_[size_class(size)];
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
  static constexpr std::size_t k_step = 8;  // Lua 5.1 aligns to double/pointer/long: 8 bytes
  static std::size_t size_class(std::size_t n) { return (n + k_step - 1) / k_step - 1; }

  void* take(std::size_t n) {
    std::size_t c = size_class(n);
    if (Free* f = free_[c]) {
      free_[c] = f->next;
      return f;
    }
    std::size_t bytes = (c + 1) * k_step;
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

  std::array<Free*, (k_pooled + k_step - 1) / k_step + 1> free_{};
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  Slab* slabs_ = nullptr;
};

}  // namespace nodemcu_emu::lua
