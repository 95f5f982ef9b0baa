// libFuzzer target: the PROXY protocol header parser (net/proxy_header.h)
// that PROXY protocol listeners read first (net/proxy_accept.h). Beyond "no
// crash", the invariants of tests/unit/net/proxy_header_check.h: parsed at
// once and as the listener reads it (only the bytes asked for) it gives
// the same answer, never reads past the header, and a complete header is
// within the limits and names valid addresses.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "fuzz_check.h"
#include "net/proxy_header_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto problem = postern::net::test::proxy_parse_problem(input);
  if (problem) std::fprintf(stderr, "%s\n", problem->c_str());
  FUZZ_CHECK(!problem);
  return 0;
}
