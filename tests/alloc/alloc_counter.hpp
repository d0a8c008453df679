// How many times this binary's operator new ran (counting_new.cpp replaces it).
#pragma once

#include <cstddef>

namespace alloc_counter {
std::size_t count();
}  // namespace alloc_counter
