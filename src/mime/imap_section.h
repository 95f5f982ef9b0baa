// BODY[section]<partial> of RFC 3501 §6.4.5 on a stored message's raw
// bytes: exactly the octets a server sends, cut out of the message as
// stored (never re-encoded).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern::mime {

namespace detail {
struct Entity;
}  // namespace detail

enum class SectionText : std::uint8_t {
  none,               // BODY[] or BODY[1.2]: the whole message, or a part's body
  header,             // HEADER (RFC822.HEADER is BODY.PEEK[HEADER])
  header_fields,      // HEADER.FIELDS (names)
  header_fields_not,  // HEADER.FIELDS.NOT (names)
  text,               // TEXT (RFC822.TEXT is BODY[TEXT])
  mime,               // MIME: a part's own header (needs a part number)
};

struct Section {
  std::vector<std::uint32_t> part;  // 1.2.3 as {1, 2, 3}; empty: the message
  SectionText text = SectionText::none;
  std::vector<std::string> fields;  // for header_fields(_not), any case
};

// <start.count>: `count` octets from `start` (RFC 3501 §6.4.5).
struct Partial {
  std::uint64_t start = 0;
  std::uint64_t count = 0;
};

// Parses the text between the brackets ("", "1.2.MIME", "HEADER.FIELDS
// (From To)", names as atoms or quoted strings), any case.
// Error: Errc::invalid_argument for anything RFC 3501 §9 "section" refuses.
Result<Section> parse_section(std::string_view spec);

// The octets of `section` in `raw`, then cut to `partial` when given
// (applied here: a start past the end gives "", as RFC 3501 says).
// - A part that does not exist gives "" (as Dovecot answers), never an error.
// - Parts are numbered as in RFC 3501: in a message that is not multipart,
//   part 1 is its body; past a message/rfc822 part, numbers go into the
//   message it holds; HEADER, TEXT and HEADER.FIELDS after a part number
//   need a message/rfc822 part (otherwise "").
// - HEADER is the header with its blank line; HEADER.FIELDS(.NOT) are the
//   matching fields as written (folding kept) and a final CRLF; MIME is a
//   part's header with its blank line.
// Thread-safe; needs no GMime.
std::string section_bytes(std::string_view raw, const Section& section,
                          std::optional<Partial> partial = std::nullopt);

// The same for several sections of one message (a FETCH asking for
// BODY[1] BODY[2.MIME] ...): the MIME tree is read once. Holds a view of
// `raw`, which must outlive it.
class MessageSections {
 public:
  explicit MessageSections(std::string_view raw);
  ~MessageSections();
  MessageSections(const MessageSections&) = delete;
  MessageSections& operator=(const MessageSections&) = delete;

  std::string bytes(const Section& section, std::optional<Partial> partial = std::nullopt) const;

 private:
  std::string_view raw_;
  std::unique_ptr<const detail::Entity> root_;
};

// The section as a server names it in its answer, between "BODY[" and "]"
// (RFC 3501 §7.4.2), as Dovecot writes it: keywords and field names in
// upper case: "1.2.HEADER.FIELDS (FROM X-A)". Names that are not atoms are
// quoted (Dovecot repeats the client's quotes; it is the same section).
std::string section_label(const Section& section);

}  // namespace postern::mime
