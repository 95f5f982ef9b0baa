// Random inputs for the in-process robustness tests of the protocol
// servers (tests/unit/{smtp,pop3,imap}/fuzz_test.cpp):
// bytes drawn from the protocol's interesting ones (and now and then any
// byte at all), and mutations of seed sessions, libFuzzer style.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace postern::test {

class Mutator {
 public:
  // `rng`, `alphabet` and `seeds` must outlive the mutator.
  Mutator(std::mt19937& rng, std::string_view alphabet, const std::vector<std::string>& seeds)
      : rng_(rng), alphabet_(alphabet), seeds_(seeds) {}

  char byte() {
    if (rng_() % 8 == 0) return static_cast<char>(rng_() % 256);
    return alphabet_[rng_() % alphabet_.size()];
  }

  std::string bytes(std::size_t max_len) {
    std::string s(rng_() % (max_len + 1), '\0');
    for (auto& c : s) c = byte();
    return s;
  }

  // One to six rounds of: change a byte, insert one, erase a run, repeat
  // a piece, insert random bytes, insert the start of a seed, insert a
  // run longer than any command line.
  std::string mutate(std::string s) {
    int rounds = 1 + static_cast<int>(rng_() % 6);
    for (int r = 0; r < rounds && !s.empty(); ++r) {
      auto pos = rng_() % (s.size() + 1);
      switch (rng_() % 7) {
        case 0:
          if (pos < s.size()) s[pos] = byte();
          break;
        case 1:
          s.insert(pos, 1, byte());
          break;
        case 2:
          s.erase(pos, rng_() % 16);
          break;
        case 3:
          s.insert(pos, s.substr(rng_() % s.size(), rng_() % 64));
          break;
        case 4:
          s.insert(pos, bytes(32));
          break;
        case 5:
          s.insert(pos, seeds_[rng_() % seeds_.size()].substr(0, rng_() % 80));
          break;
        case 6:
          s.insert(pos, std::string(rng_() % 600, 'x'));
          break;
      }
    }
    return s;
  }

  // A mutation of a seed picked at random.
  std::string mutated_seed() { return mutate(seeds_[rng_() % seeds_.size()]); }

 private:
  std::mt19937& rng_;
  std::string_view alphabet_;
  const std::vector<std::string>& seeds_;
};

}  // namespace postern::test
