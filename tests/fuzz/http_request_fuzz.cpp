// libFuzzer target: a connection's bytes through the HTTP server's request
// reader (net/detail/request_reader.h), requests read one after the other
// as the server does on a keep-alive connection. The first byte picks the
// size of the pieces the bytes arrive in. Invariants beyond "no crash":
// - the requests read are the same whether the bytes arrive at once or in
//   pieces (a malformed one may be refused later; see agree());
// - each has a target that is its path plus "?" and its query, header names
//   and values without line breaks, and a body within the limit;
// - a refusal is a 400, 413 or 431 that closes the connection; no request
//   read has more fields, or a longer field, than the limits.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "net/detail/request_reader.h"

namespace {

using postern::net::HttpRequest;
using postern::net::detail::RequestLimits;
using postern::net::detail::RequestReader;

// Small limits, so that the fuzzer reaches them.
constexpr RequestLimits kLimits{
    .max_header_bytes = 1024, .max_body_bytes = 4096, .max_field_bytes = 128, .max_fields = 8};

// One request read, or the refusal that ended the connection, as text.
std::string describe(const HttpRequest& r) {
  std::string out = r.method + ' ' + r.target + '\n';
  for (const auto& [name, value] : r.headers) out += name + ": " + value + '\n';
  return out + '\n' + r.body;
}

void check_request(const HttpRequest& r) {
  FUZZ_CHECK(!r.method.empty() && !r.target.empty());
  FUZZ_CHECK(r.target ==
             (r.target.find('?') == std::string::npos ? r.path : r.path + '?' + r.query));
  FUZZ_CHECK(r.headers.size() <= kLimits.max_fields);
  for (const auto& [name, value] : r.headers) {
    FUZZ_CHECK(!name.empty());
    FUZZ_CHECK(name.size() + 2 + value.size() <= kLimits.max_field_bytes);
    FUZZ_CHECK(name.find_first_of("\r\n:") == std::string::npos);
    FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
  }
  FUZZ_CHECK(r.body.size() <= kLimits.max_body_bytes);
}

constexpr std::string_view kIncomplete = "incomplete";

// Whether two reads of one stream agree. Beast resumes its search for the
// end of a header where the previous search stopped, so a malformed header
// whose end arrives in pieces may be refused only once more bytes come: at
// the end of the input one read may have refused what the other still
// waits for. And a header both malformed and over the limit is refused for
// whichever Beast meets first: as malformed (400) when its end came in the
// same read, as too large (431) when the limit is passed while waiting for
// its end. Never may they read different requests.
bool agree(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a == b) return true;
  if (a.size() != b.size() || !std::equal(a.begin(), a.end() - 1, b.begin())) return false;
  auto refused_or_waiting = [](const std::string& last) {
    return last == kIncomplete || last == "refused 400" || last == "refused 431";
  };
  return refused_or_waiting(a.back()) && refused_or_waiting(b.back());
}

// Reads requests from `stream` arriving `piece` bytes at a time, until the
// bytes run out or the connection would close.
std::vector<std::string> read_connection(std::string_view stream, std::size_t piece) {
  std::vector<std::string> seen;
  std::string buffer;  // received, not yet used: the server's flat_buffer
  std::size_t received = 0;
  for (;;) {
    RequestReader reader(kLimits);
    while (!reader.done() && !reader.refusal()) {
      auto used = reader.feed(buffer);
      FUZZ_CHECK(used <= buffer.size());
      buffer.erase(0, used);
      if (reader.done() || reader.refusal()) break;
      if (used > 0 && !buffer.empty()) continue;  // more to parse in what is there
      if (received == stream.size()) break;
      auto next = stream.substr(received, piece);
      buffer += next;
      received += next.size();
    }
    if (auto& refusal = reader.refusal()) {
      FUZZ_CHECK(refusal->status == 400 || refusal->status == 413 || refusal->status == 431);
      FUZZ_CHECK(refusal->close && !refusal->body.empty());
      seen.push_back("refused " + std::to_string(refusal->status));
      return seen;
    }
    if (!reader.done()) {  // the peer stopped sending mid-request
      seen.emplace_back(kIncomplete);
      return seen;
    }
    bool keep_alive = reader.keep_alive();
    auto request = reader.take("192.0.2.1", false);
    check_request(request);
    seen.push_back(describe(request));
    if (!keep_alive) return seen;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t piece = 1 + data[0] % 64;
  auto at_once = read_connection(stream, stream.size() + 1);
  auto in_pieces = read_connection(stream, piece);
  if (!agree(at_once, in_pieces)) {
    for (const auto* seen : {&at_once, &in_pieces}) {
      std::fprintf(stderr, "--- read %s:\n", seen == &at_once ? "at once" : "in pieces");
      for (const auto& r : *seen) std::fprintf(stderr, "%s\n", r.c_str());
    }
  }
  FUZZ_CHECK(agree(at_once, in_pieces));
  return 0;
}
