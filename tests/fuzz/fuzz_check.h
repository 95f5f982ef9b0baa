// Shared by the libFuzzer targets: an invariant check that names the broken
// condition and aborts, so that libFuzzer keeps the input as a crash-* file.
// A macro for the condition's text, file and line.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace postern::fuzz {

[[noreturn]] inline void invariant_broken(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, condition);
  std::abort();
}

}  // namespace postern::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? void(0) : ::postern::fuzz::invariant_broken(#condition, __FILE__, __LINE__))
