// libFuzzer target: DATA content through DataReader and BodyScanner, as the
// SMTP session reads it. The first byte picks where the input is split in
// two (the rest is the stream). Invariants beyond "no crash":
// - the result is the same however the input is split;
// - the data ends only at <CRLF>.<CRLF> (or "." as the very first line);
// - clean content has CRLF line ends only and stays within the limit;
// - what the SMTP client sends for that content (providers/smtp's
//   dot_stuff) reads back to the same content: client and server agree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "core/dot_stuff.h"
#include "fuzz_check.h"
#include "smtp/parser/data_reader.h"

namespace {

using namespace postern::smtp;

constexpr std::size_t kMaxBytes = 4096;

struct Outcome {
  bool done = false;
  std::size_t consumed = 0;
  BodyVerdict verdict = BodyVerdict::ok;
  std::string content;
  bool operator==(const Outcome&) const = default;
};

Outcome read_data(std::string_view input, std::size_t cut) {
  DataReader reader;
  BodyScanner body(kMaxBytes);
  Outcome out;
  for (auto piece : {input.substr(0, cut), input.substr(cut)}) {
    if (out.done) break;
    auto progress = reader.feed(piece, body);
    FUZZ_CHECK(progress.consumed <= piece.size());
    out.consumed += progress.consumed;
    out.done = progress.done;
  }
  out.verdict = body.verdict();
  out.content = body.take_content();
  return out;
}

bool only_crlf(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto whole = read_data(input, input.size());
  auto split = read_data(input, data[0] % (input.size() + 1));
  FUZZ_CHECK(whole == split);
  if (!whole.done) {
    FUZZ_CHECK(whole.consumed == input.size());
    return 0;
  }
  auto read = input.substr(0, whole.consumed);
  FUZZ_CHECK(read == ".\r\n" || read.ends_with("\r\n.\r\n"));
  if (whole.verdict != BodyVerdict::ok) return 0;
  FUZZ_CHECK(whole.content.size() <= kMaxBytes);
  FUZZ_CHECK(only_crlf(whole.content));
  auto sent = postern::dot_stuff(whole.content);
  auto again = read_data(sent, sent.size());
  FUZZ_CHECK(again.done && again.consumed == sent.size());
  FUZZ_CHECK(again.verdict == BodyVerdict::ok && again.content == whole.content);
  return 0;
}
