// libFuzzer target: the request headers the gateway reads to pick the form
// of a file it serves (the web UI, http/ui_files.h): Accept-Encoding
// (http/accept_encoding.h), If-None-Match and If-Modified-Since
// (http/conditional_get.h). Invariants beyond "no crash": weights stay in
// 0..1000, codings are non-empty and lower case, the chosen coding is one
// offered or none, and "*" as If-None-Match always matches.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "http/accept_encoding.h"
#include "http/conditional_get.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postern::http;
  std::string_view value(reinterpret_cast<const char*>(data), size);
  for (const auto& a : parse_accept_encoding(value)) {
    FUZZ_CHECK(a.weight >= 0 && a.weight <= 1000);
    FUZZ_CHECK(!a.coding.empty());
    for (char c : a.coding) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
  }
  constexpr std::array<std::string_view, 2> kAvailable{"br", "gzip"};
  auto chosen = choose_content_coding(value, kAvailable);
  FUZZ_CHECK(chosen.empty() || chosen == "br" || chosen == "gzip");
  FUZZ_CHECK(etag_list_matches("*", value));
  etag_list_matches(value, "\"a1\"");
  not_modified(std::nullopt, value, "\"a1\"", postern::SystemTime{});
  return 0;
}
