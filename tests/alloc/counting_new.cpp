// The replaceable global allocation functions of this test binary: malloc underneath, plus a
// counter. Only this binary has them; the emulator keeps the standard ones.
#include <cstdlib>
#include <new>

#include "alloc_counter.hpp"

namespace {
std::size_t g_allocations = 0;  // one thread: the test's loop runs on it

void* counted(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
}  // namespace

std::size_t alloc_counter::count() { return g_allocations; }

void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
