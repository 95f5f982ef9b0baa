// A checker of the IMAP answers' syntax (RFC 3501 §9), for the robustness
// test and the fuzz target: parentheses balanced, quoted strings free of
// what they may not hold, literals exactly as long as they say, and nothing
// but NIL, numbers and atoms between them. Independent of the code it checks.
#pragma once

#include <cstddef>
#include <string_view>

namespace postern::mime::test {

struct ImapListShape {
  bool ok = false;
  std::size_t top_level_items = 0;  // elements of the outermost list
};

// Checks that `text` is exactly one parenthesised list.
ImapListShape check_imap_list(std::string_view text);

}  // namespace postern::mime::test
