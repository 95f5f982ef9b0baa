// libFuzzer target for the IMAP view of stored messages (mime/imap_structure.h,
// mime/imap_section.h): any bytes a client APPENDs or a sender submits must
// give well-formed ENVELOPE, BODYSTRUCTURE and BODY answers, and sections
// that are bytes of the message, without crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "imap_syntax_check.h"
#include "mime/imap_section.h"
#include "mime/imap_structure.h"

namespace {

using postern::mime::Section;
using postern::mime::SectionText;

// The input's first byte picks a section, so that the fuzzer explores
// part numbers as well as messages.
Section section_from(std::uint8_t b) {
  Section s;
  for (int i = 0; i < (b & 3); ++i) s.part.push_back(1 + ((b >> (2 + i)) & 1));
  s.text = static_cast<SectionText>((b >> 4) % 6);
  if (s.text == SectionText::mime && s.part.empty()) s.part.push_back(1);
  s.fields = {"Subject", "content-type"};
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Section section = section_from(data[0]);
  std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  auto st = postern::mime::imap_structure(raw);
  auto envelope = postern::mime::test::check_imap_list(st.envelope);
  FUZZ_CHECK(envelope.ok && envelope.top_level_items == 10);
  FUZZ_CHECK(postern::mime::test::check_imap_list(st.body_structure).ok);
  FUZZ_CHECK(postern::mime::test::check_imap_list(st.body).ok);
  FUZZ_CHECK(postern::mime::imap_envelope(raw) == st.envelope);
  std::string bytes = postern::mime::section_bytes(raw, section);
  if (section.text == SectionText::header_fields ||
      section.text == SectionText::header_fields_not) {
    FUZZ_CHECK(bytes.size() <= 3 * raw.size() + 2);
  } else {
    FUZZ_CHECK(raw.find(bytes) != std::string_view::npos);
  }
  return 0;
}
