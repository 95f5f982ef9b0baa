// BOOST_ASSERT in the fuzz build (BOOST_ENABLE_ASSERT_HANDLER): a failed
// assertion aborts, so libFuzzer keeps the input, except for one that
// Beast 1.81 makes wrongly. basic_parser::parse_chunk_header asserts that
// 5 bytes are there, but a chunked body fed in small pieces ("0\r\n",
// then "\r", then "\n") reaches it with 3 or 4, and the code after the
// assertion rightly asks for more (fixed in Beast by boostorg/beast#2861,
// Boost 1.86). Release builds, built with NDEBUG, never check it.
#include <boost/assert.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  if (std::string_view(file).ends_with("beast/http/impl/basic_parser.ipp") &&
      std::string_view(expr) == "n >= 5") {
    return;
  }
  std::fprintf(stderr, "%s:%ld: %s: assertion failed: %s %s\n", file, line, function, expr,
               msg ? msg : "");
  std::abort();
}

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
