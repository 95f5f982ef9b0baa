// The argument rules of the larger commands, each in its own file
// (search_parser.cpp, fetch_parser.cpp). Internal to the parser; each
// reads from just after the command name.
#pragma once

#include "imap/parser/command.h"
#include "imap/parser/cursor.h"

namespace postern::imap::detail {

Search parse_search(Cursor& cursor);
Fetch parse_fetch(Cursor& cursor);

}  // namespace postern::imap::detail
