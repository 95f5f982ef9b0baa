// libFuzzer target for src/mime's network-facing entry points (raw mail
// from HTTP message/rfc822 and SMTP): summarize, strip_bcc and
// parse_message must not crash, hang or leak on any input, and must agree
// with each other; read_view (what a reader of caught mail sees) gives
// UTF-8 and attachments whose bytes attachment_content finds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/utf8.h"
#include "fuzz_check.h"
#include "mime/mime.h"
#include "mime/reading_view.h"

namespace {

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
  FUZZ_CHECK(stripped.size() <= raw.size());
  FUZZ_CHECK(postern::mime::strip_bcc(stripped) == stripped);
  if (summary) {
    auto after = postern::mime::summarize(stripped);
    FUZZ_CHECK(after && after->bcc.empty() && after->from == summary->from);
  }
  // parse_message refuses beyond summarize only what GMime cannot take
  // (see detail/body_reader.h), never less.
  FUZZ_CHECK(!parsed || summary);
  FUZZ_CHECK(!summary || parsed || size >= 256 * 1024);

  auto view = postern::mime::read_view(raw);
  FUZZ_CHECK(postern::is_valid_utf8(view.subject + view.text + view.html));
  for (const auto& h : view.headers) FUZZ_CHECK(postern::is_valid_utf8(h.name + h.value));
  for (const auto& a : view.attachments) {
    auto content = postern::mime::attachment_content(raw, a.id);
    FUZZ_CHECK(content && content->content.size() == a.size);
  }
  return 0;
}
