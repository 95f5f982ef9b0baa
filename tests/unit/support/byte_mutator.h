// The byte-level mutations of the randomized robustness tests of the
// protocol parsers (tests/unit/*/fuzz_test.cpp), libFuzzer style: a few
// rounds of replacing, inserting, erasing and copying bytes, and inserting
// pieces that each protocol chooses (its own alphabet and fragments).
#pragma once

#include <cstddef>
#include <functional>
#include <random>
#include <string>

namespace postern::test {

struct ByteMutator {
  std::function<char(std::mt19937&)> byte;            // a byte worth trying
  std::function<std::string(std::mt19937&)> piece;    // a fragment worth inserting
  std::function<std::string(std::mt19937&)> another;  // and a second kind
  int max_rounds = 6;
  std::size_t max_erase = 16;

  std::string operator()(std::string s, std::mt19937& rng) const {
    int rounds = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_rounds));
    for (int r = 0; r < rounds && !s.empty(); ++r) {
      auto pos = rng() % (s.size() + 1);
      switch (rng() % 6) {
        case 0:
          if (pos < s.size()) s[pos] = byte(rng);
          break;
        case 1:
          s.insert(pos, 1, byte(rng));
          break;
        case 2:
          s.erase(pos, rng() % max_erase);
          break;
        case 3:
          s.insert(pos, s.substr(rng() % s.size(), rng() % 64));
          break;
        case 4:
          s.insert(pos, piece(rng));
          break;
        case 5:
          s.insert(pos, another(rng));
          break;
      }
    }
    return s;
  }
};

}  // namespace postern::test
