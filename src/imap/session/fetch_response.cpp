#include "imap/session/fetch_response.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "core/time_format.h"
#include "imap/session/selected_mailbox.h"
#include "mime/imap_section.h"

namespace postern::imap {
namespace {

mime::Section to_mime(const Section& s) {
  mime::Section out;
  out.part = s.part;
  out.fields = s.fields;
  switch (s.text) {
    case Section::Text::all:
      out.text = mime::SectionText::none;
      break;
    case Section::Text::header:
      out.text = mime::SectionText::header;
      break;
    case Section::Text::header_fields:
      out.text = mime::SectionText::header_fields;
      break;
    case Section::Text::header_fields_not:
      out.text = mime::SectionText::header_fields_not;
      break;
    case Section::Text::text:
      out.text = mime::SectionText::text;
      break;
    case Section::Text::mime:
      out.text = mime::SectionText::mime;
      break;
  }
  return out;
}

void append_literal(std::string& out, std::string_view bytes) {
  out += '{';
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out += bytes;
}

// The message's sections, parsed once for all of its body items.
class Body {
 public:
  explicit Body(const ContentLoader& load) : load_(load) {}
  Result<std::string> bytes(const mime::Section& section, std::optional<mime::Partial> partial) {
    if (!sections_) {
      auto content = load_();
      if (!content) return content.error();
      content_ = std::move(*content);
      sections_ = std::make_unique<mime::MessageSections>(content_);
    }
    return sections_->bytes(section, partial);
  }

 private:
  const ContentLoader& load_;
  std::string content_;
  std::unique_ptr<mime::MessageSections> sections_;
};

}  // namespace

bool sets_seen(const FetchItem& item) {
  using K = FetchItem::Kind;
  return (item.kind == K::body_section && !item.peek) || item.kind == K::rfc822 ||
         item.kind == K::rfc822_text;
}

std::string internal_date_text(SystemTime time) {
  // date-time of RFC 3501 §9: a two-digit day (zero-filled, as Dovecot
  // writes it), English month, UTC.
  return format_utc(time, "%d-%b-%Y %H:%M:%S +0000");
}

Result<std::string> render_fetch(const FetchedMessage& message, const std::vector<FetchItem>& items,
                                 bool with_uid, bool with_flags, const ContentLoader& load) {
  using K = FetchItem::Kind;
  const auto& entry = message.entry->entry;
  const auto& summary = message.entry->summary;
  Body body(load);
  std::string out = "* " + std::to_string(message.seq) + " FETCH (";
  bool first = true;
  auto item = [&](std::string_view name) {
    if (!first) out += ' ';
    first = false;
    out += name;
    out += ' ';
  };
  auto has = [&](K kind) {
    return std::any_of(items.begin(), items.end(), [&](const auto& i) { return i.kind == kind; });
  };
  if (with_uid && !has(K::uid)) {
    item("UID");
    out += std::to_string(entry.uid);
  }
  for (const auto& i : items) {
    switch (i.kind) {
      case K::uid:
        item("UID");
        out += std::to_string(entry.uid);
        break;
      case K::flags:
        item("FLAGS");
        out += flag_list(*message.flags, message.recent);
        break;
      case K::internal_date:
        item("INTERNALDATE");
        out += '"' + internal_date_text(entry.internal_date) + '"';
        break;
      case K::rfc822_size:
        item("RFC822.SIZE");
        out += std::to_string(entry.size);
        break;
      case K::envelope:
        item("ENVELOPE");
        out += summary.envelope;
        break;
      case K::body_structure:
        item("BODYSTRUCTURE");
        out += summary.body_structure;
        break;
      case K::body:
        item("BODY");
        out += summary.body;
        break;
      case K::rfc822:
      case K::rfc822_header:
      case K::rfc822_text:
      case K::body_section: {
        mime::Section section;
        std::string name;
        if (i.kind == K::body_section) {
          section = to_mime(i.section);
          name = "BODY[" + mime::section_label(section) + "]";
        } else {
          section.text = i.kind == K::rfc822          ? mime::SectionText::none
                         : i.kind == K::rfc822_header ? mime::SectionText::header
                                                      : mime::SectionText::text;
          name = i.kind == K::rfc822          ? "RFC822"
                 : i.kind == K::rfc822_header ? "RFC822.HEADER"
                                              : "RFC822.TEXT";
        }
        std::optional<mime::Partial> partial;
        if (i.partial) {
          partial = mime::Partial{i.partial->start, i.partial->count};
          // RFC 3501 §7.4.2: the answer names the origin octet only.
          name += "<" + std::to_string(i.partial->start) + ">";
        }
        auto bytes = body.bytes(section, partial);
        if (!bytes) return bytes.error();
        item(name);
        append_literal(out, *bytes);
        break;
      }
    }
  }
  if (with_flags && !has(K::flags)) {
    item("FLAGS");
    out += flag_list(*message.flags, message.recent);
  }
  out += ")\r\n";
  return out;
}

}  // namespace postern::imap
