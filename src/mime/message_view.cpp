// The inbox's view of a message: header fields through the lenient
// ENVELOPE address reader and RFC 2047 decoding, bodies through
// detail/body_reader (GMime).
#include "mime/message_view.h"

#include <array>
#include <utility>

#include "core/ascii.h"
#include "mime/date.h"
#include "mime/detail/body_reader.h"
#include "mime/detail/envelope_address.h"
#include "mime/detail/header_section.h"
#include "mime/detail/rfc2047.h"

namespace postern::mime {
namespace {

using detail::RawField;

const RawField* first(const std::vector<RawField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (ascii_iequals(f.name, name)) return &f;
  }
  return nullptr;
}

std::string readable_addresses(const std::vector<RawField>& fields, std::string_view name) {
  const RawField* field = first(fields, name);
  if (field == nullptr) return {};
  std::string out;
  for (const auto& a : detail::parse_envelope_addresses(detail::unfold(field->value))) {
    if (!a.host) continue;  // group markers
    std::string address = a.mailbox.value_or("") + "@" + *a.host;
    if (!out.empty()) out += ", ";
    if (a.name) {
      out += detail::decode_text(*a.name) + " <" + address + ">";
    } else {
      out += address;
    }
  }
  return out;
}

std::string message_id_of(std::string_view value) {
  std::string v = detail::unfold(value);
  auto open = v.find('<');
  auto close = open == std::string::npos ? std::string::npos : v.find('>', open);
  if (close != std::string::npos) return v.substr(open + 1, close - open - 1);
  return v;
}

bool starts_tag(std::string_view rest, std::string_view name) {
  return ascii_istarts_with(rest, name) &&
         (rest.size() == name.size() || rest[name.size()] == '>' || rest[name.size()] == ' ' ||
          rest[name.size()] == '\t' || rest[name.size()] == '\n' || rest[name.size()] == '/');
}

}  // namespace

std::string html_to_text(std::string_view html) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kEntities{{
      {"&amp;", "&"},
      {"&lt;", "<"},
      {"&gt;", ">"},
      {"&quot;", "\""},
      {"&#39;", "'"},
      {"&nbsp;", " "},
  }};
  std::string out;
  std::size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      std::string_view rest = html.substr(i + 1);
      for (std::string_view skipped : {"script", "style"}) {
        if (starts_tag(rest, skipped)) {
          std::string close = "</" + std::string(skipped);
          std::size_t end = i;
          while ((end = html.find("</", end + 1)) != std::string_view::npos &&
                 !ascii_istarts_with(html.substr(end), close)) {
          }
          i = end == std::string_view::npos ? html.size() : end;
          rest = html.substr(std::min(i + 1, html.size()));
        }
      }
      if (i >= html.size()) break;
      std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      std::string_view tag = html.substr(i + 1, end - i - 1);
      for (std::string_view block :
           {"br", "p", "/p", "div", "/div", "tr", "li", "h1", "h2", "h3"}) {
        if (starts_tag(tag, block)) {
          if (!out.empty() && out.back() == ' ') out.pop_back();
          if (!out.empty() && out.back() != '\n') out += '\n';
          break;
        }
      }
      i = end + 1;
      continue;
    }
    if (c == '&') {
      bool decoded = false;
      for (auto [entity, text] : kEntities) {
        if (ascii_istarts_with(html.substr(i), entity)) {
          out += text;
          i += entity.size();
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      // HTML collapses whitespace; line breaks come from the tags above.
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
    } else {
      out += c;
    }
    ++i;
  }
  return out;
}

MessageView view_message(std::string_view raw) {
  MessageView view;
  detail::HeaderSection header = detail::scan_header(raw);
  view.from = readable_addresses(header.fields, "From");
  view.to = readable_addresses(header.fields, "To");
  view.cc = readable_addresses(header.fields, "Cc");
  if (const RawField* subject = first(header.fields, "Subject")) {
    view.subject = detail::decode_text(detail::unfold(subject->value));
  }
  if (const RawField* id = first(header.fields, "Message-ID")) {
    view.message_id = message_id_of(id->value);
  }
  if (const RawField* date = first(header.fields, "Date")) {
    view.date = parse_date(detail::unfold(date->value));
  }
  auto body = detail::read_body(raw);
  if (!body) return view;
  for (const auto& attachment : body->attachments) {
    if (!attachment.is_inline) view.has_attachments = true;
  }
  view.text = body->text;
  if (!body->html.empty()) {
    if (!view.text.empty()) view.text += "\n\n";
    view.text += html_to_text(body->html);
  }
  return view;
}

}  // namespace postern::mime
