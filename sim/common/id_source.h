// Provider message ids and random draws without locks: a per-service seed
// plus an atomic counter through splitmix64, so ids never repeat within a
// run and any I/O thread may ask.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace postern::sim {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class IdSource {
 public:
  explicit IdSource(std::uint64_t seed) : seed_(seed) {}

  // 64 bits, distinct for each call (splitmix64 is a bijection).
  std::uint64_t next() {
    return splitmix64(seed_ + counter_.fetch_add(1, std::memory_order_relaxed));
  }

  // `digits` lower-case hex characters.
  std::string hex(int digits);
  // `length` characters of [A-Za-z0-9_-] (SendGrid X-Message-Id style).
  std::string url_safe(int length);
  // 8-4-4-4-12 lower-case hex, version 4 layout (Postmark MessageID style).
  std::string uuid();

 private:
  std::uint64_t seed_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace postern::sim
