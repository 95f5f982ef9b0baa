// The invariants of net/proxy_header.h for any input, shared by the unit
// tests (proxy_header_test.cpp) and the libFuzzer target
// (tests/fuzz/proxy_header_fuzz.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::net::test {

// Parses `input` twice: at once, and as the listener's driver does (reading
// only the bytes the parser asks for, so never past the header). Returns
// what is wrong, or nullopt: both agree; a complete header is within the
// input and the limits and names valid addresses; the driver read nothing
// after it; a parse that needs more asks for at least one byte.
std::optional<std::string> proxy_parse_problem(std::string_view input);

}  // namespace postern::net::test
