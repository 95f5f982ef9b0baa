// Random well-formed IMAP commands (RFC 3501 §9 and the extensions
// parse_command takes), for the robustness test and to seed mutations.
#pragma once

#include <random>
#include <string>

namespace postern::imap::test {

class CommandGenerator {
 public:
  explicit CommandGenerator(std::uint32_t seed) : rng_(seed) {}

  // One command with its CRLF; literals are synchronising or not at random.
  std::string command();

  std::mt19937& rng() { return rng_; }

 private:
  std::size_t pick(std::size_t n) { return rng_() % n; }
  std::string tag();
  std::string atom();
  std::string astring();  // as an atom, a quoted string or a literal
  std::string literal(std::string_view content);
  std::string mailbox();
  std::string number();
  std::string sequence_set();
  std::string flags();
  std::string date();
  std::string search_key(int depth);
  std::string fetch_items();
  std::string section();

  std::mt19937 rng_;
};

}  // namespace postern::imap::test
