// libFuzzer target: JSON bodies of POST /v1/messages through intake's
// message_from_json. What intake accepts is stored and later parsed again
// and built into MIME by delivery, so beyond "no crash", for an accepted
// body: the stored (canonical) JSON parses back to the same message; the
// built MIME has CRLF lines of at most 998 octets, and summarize and
// parse_message read it back with the same sender and recipients. A refusal
// carries a code and a message. (The seeded run of these checks in
// make test is tests/unit/mime/json_intake_robustness_test.cpp.)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/message_json.h"
#include "fuzz_check.h"
#include "mime/mime.h"
#include "mime_test_support.h"

namespace {

using namespace postern;

struct GMimeOnce {
  GMimeOnce() { mime::init(); }
};

std::vector<std::string> addresses(const std::vector<Mailbox>& list) {
  std::vector<std::string> out;
  for (const auto& m : list) out.push_back(m.address);
  return out;
}

void check_deliverable(const Message& m) {
  auto again = message_from_json(message_to_json(m), MessageLimits::unlimited());
  FUZZ_CHECK(again && *again == m);
  auto built = mime::build_message(m, mime::test::sample_options());
  FUZZ_CHECK(mime::test::only_crlf(built));
  FUZZ_CHECK(mime::test::longest_line(built) <= 998);
  auto summary = mime::summarize(built);
  FUZZ_CHECK(summary);
  FUZZ_CHECK(summary->from.address == m.from.address);
  FUZZ_CHECK(addresses(summary->to) == addresses(m.to));
  FUZZ_CHECK(addresses(summary->cc) == addresses(m.cc));
  FUZZ_CHECK(summary->bcc.empty());
  auto parsed = mime::parse_message(built);
  FUZZ_CHECK(parsed && parsed->from.address == m.from.address);
  FUZZ_CHECK(parsed->attachments.size() == m.attachments.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const GMimeOnce gmime;  // the fuzzer process never exits cleanly anyway
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto message = message_from_json(body, MessageLimits{});
  if (message) {
    check_deliverable(*message);
  } else {
    FUZZ_CHECK(!message.error().code.empty() && !message.error().message.empty());
  }
  return 0;
}
