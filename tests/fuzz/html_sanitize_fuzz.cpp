// libFuzzer target for mime/html_sanitize (the HTML of caught mail, shown
// in a browser): on any input, with and without remote content, nothing
// that could run or load unasked survives (tests/unit/mime/html_check.h
// reads the output independently), the output is UTF-8, and sanitising it
// again finds nothing more to block. Its text (mime/html_text.h, the same
// parse walked otherwise) is UTF-8 too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "fuzz_check.h"
#include "html_check.h"
#include "mime/html_sanitize.h"
#include "mime/html_text.h"

namespace {

std::string cid_url(std::string_view cid) {
  return "/message/0ABC/attachments/" + std::string(cid);
}

void check(const postern::mime::SanitizedHtml& out) {
  FUZZ_CHECK(postern::mime::test::executable_parts(out.html).empty());
  FUZZ_CHECK(out.html.find("<script") == std::string::npos);
  FUZZ_CHECK(postern::is_valid_utf8(out.html));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  postern::mime::SanitizeOptions blocked{.allow_remote = false, .cid_url = cid_url};
  auto out = postern::mime::sanitize_html(html, blocked);
  check(out);
  auto again = postern::mime::sanitize_html(out.html, blocked);
  check(again);
  FUZZ_CHECK(again.blocked_remote == 0);
  auto remote = postern::mime::sanitize_html(html, {.allow_remote = true, .cid_url = cid_url});
  check(remote);
  FUZZ_CHECK(remote.blocked_remote == 0);
  FUZZ_CHECK(postern::is_valid_utf8(postern::mime::html_to_text(html)));
  return 0;
}
