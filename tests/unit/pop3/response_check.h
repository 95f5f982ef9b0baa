// What any POP3 server output must look like, whatever the client sent:
// for the randomized test (fuzz_test.cpp) and the libFuzzer target
// (tests/fuzz/pop3_command_fuzz.cpp). Every line ends with CRLF and starts
// with +OK or -ERR, except inside a multi-line response, which ends with a
// line of a single dot (byte-stuffing keeps any other such line out).
#pragma once

#include <string>
#include <string_view>

namespace postern::pop3::test {

// The status lines that a multi-line body follows (CAPA, UIDL, TOP, RETR's
// "+OK 12 octets", LIST's "+OK 3 messages (99 octets)").
inline bool starts_multiline(std::string_view line) {
  if (line == "+OK capability list follows" || line == "+OK unique-id listing follows" ||
      line.starts_with("+OK top of message")) {
    return true;
  }
  if (!line.starts_with("+OK ")) return false;
  auto rest = line.substr(4);
  auto digits = rest.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos) return false;
  rest.remove_prefix(digits);
  return rest == " octets" || rest.starts_with(" messages (");
}

// "" when `out` is well-formed, else what is wrong with it.
inline std::string response_problem(std::string_view out) {
  bool in_block = false;
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto end = out.find("\r\n", pos);
    if (end == std::string_view::npos) return "unterminated line";
    auto line = out.substr(pos, end - pos);
    if (line.find_first_of("\r\n") != std::string_view::npos) return "bare CR or LF in a line";
    pos = end + 2;
    if (in_block) {
      if (line == ".") in_block = false;
      continue;
    }
    if (line != "+OK" && !line.starts_with("+OK ") && !line.starts_with("-ERR ")) {
      return "not a status line: " + std::string(line);
    }
    in_block = starts_multiline(line);
  }
  return in_block ? "multi-line response not terminated" : "";
}

}  // namespace postern::pop3::test
