// libFuzzer target for src/mime's network-facing entry points: summarize,
// strip_bcc and parse_message must not crash, hang or leak on any input,
// and must agree with each other. Not part of the default build (needs
// clang); build and run by hand, e.g.:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     $(pkg-config --cflags gmime-3.0) tests/fuzz/mime_fuzz.cpp src/mime/*.cpp \
//     src/mime/detail/*.cpp src/core/{address,base64,error,message_json}.cpp \
//     $(pkg-config --libs gmime-3.0) -lboost_json -lboost_system -o mime_fuzz
//   ./mime_fuzz -max_len=65536 -timeout=5
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mime/mime.h"

namespace {

[[noreturn]] void fail() { std::abort(); }

struct GMimeOnce {
  GMimeOnce() { postern::mime::init(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const GMimeOnce gmime;  // the fuzzer process never exits cleanly anyway
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto summary = postern::mime::summarize(raw);
  auto parsed = postern::mime::parse_message(raw);
  std::string stripped = postern::mime::strip_bcc(raw);
  if (stripped.size() > raw.size()) fail();
  if (postern::mime::strip_bcc(stripped) != stripped) fail();
  if (summary) {
    auto after = postern::mime::summarize(stripped);
    if (!after || !after->bcc.empty() || after->from != summary->from) fail();
  }
  // parse_message refuses beyond summarize only what GMime cannot take
  // (see detail/body_reader.h), never less.
  if (parsed && !summary) fail();
  if (summary && !parsed && size < 256 * 1024) fail();
  return 0;
}
