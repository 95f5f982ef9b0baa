// Drives a CommandReader over a byte stream cut into pieces, and writes
// each event as a line of text, for the reader tests and the robustness
// test.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "imap/parser/command_reader.h"

namespace postern::imap::test {

// "C <command>", "+", or "E <code> <tag> [append]".
inline std::string describe(const ReaderEvent& e) {
  switch (e.kind) {
    case ReaderEvent::Kind::command:
      return "C " + std::string(e.command);
    case ReaderEvent::Kind::continuation:
      return "+";
    case ReaderEvent::Kind::error:
      return "E " + std::string(e.error.text()) + " " + e.error.tag +
             (e.error.append ? " append" : "");
    case ReaderEvent::Kind::need_more:
      break;
  }
  return "?";
}

// Feeds `input` in pieces whose sizes `next_piece` chooses, as a session
// would: the unconsumed rest of a piece is given again with the next one.
// `on_event` sees each event (and may check the reader); end of input is
// signalled at the end.
inline std::vector<std::string> read_all(
    CommandReader& reader, std::string_view input, const std::function<std::size_t()>& next_piece,
    const std::function<void(const ReaderEvent&)>& on_event = {}) {
  std::vector<std::string> out;
  std::string pending;
  std::size_t pos = 0;
  while (pos < input.size() || !pending.empty()) {
    if (pos < input.size()) {
      auto n = std::min(next_piece(), input.size() - pos);
      pending.append(input.substr(pos, n));
      pos += n;
    }
    while (!pending.empty()) {
      auto event = reader.next(pending);
      if (on_event) on_event(event);
      pending.erase(0, event.consumed);
      if (event.kind == ReaderEvent::Kind::need_more) break;
      out.push_back(describe(event));
    }
  }
  auto end = reader.end_of_input();
  if (end.kind != ReaderEvent::Kind::need_more) out.push_back(describe(end));
  return out;
}

}  // namespace postern::imap::test
