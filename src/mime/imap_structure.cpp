// ENVELOPE, BODYSTRUCTURE and BODY (RFC 3501 §7.4.2) from the MIME tree of
// detail/mime_tree.h.
#include "mime/imap_structure.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>
#include <vector>

#include "core/ascii.h"
#include "mime/detail/envelope_address.h"
#include "mime/detail/mime_tree.h"
#include "mime/imap_string.h"

namespace postern::mime {
namespace {

using detail::Entity;
using detail::HeaderParam;
using detail::RawField;

// A header value as ENVELOPE and body fields show it: the leading
// whitespace and every CR and LF removed, the rest (trailing whitespace
// too) as written.
std::string header_text(const RawField& field) {
  std::string out;
  std::string_view v = field.value;
  std::size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  for (; i < v.size(); ++i) {
    if (v[i] != '\r' && v[i] != '\n') out += v[i];
  }
  return out;
}

// A Content-* field's text, if the entity's Content-* fields count.
std::optional<std::string> mime_text(const Entity& e, std::string_view name) {
  const RawField* field = e.mime_field(name);
  if (field == nullptr) return std::nullopt;
  return header_text(*field);
}

void append_addresses(std::string& out, const std::vector<detail::EnvelopeAddress>& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    out += '(';
    if (a.name) {
      append_imap_text(out, *a.name);
    } else {
      out += "NIL";
    }
    out += ' ';
    append_imap_nstring(out, a.adl);
    out += ' ';
    append_imap_nstring(out, a.mailbox);
    out += ' ';
    append_imap_nstring(out, a.host);
    out += ')';
  }
  out += ')';
}

// The last field of that name: in an ENVELOPE a repeated field is the last
// one, as Dovecot reads it (MIME fields are the first one).
const RawField* last_field(const std::vector<RawField>& fields, std::string_view name) {
  auto it = std::find_if(fields.rbegin(), fields.rend(),
                         [&](const RawField& f) { return ascii_iequals(f.name, name); });
  return it == fields.rend() ? nullptr : &*it;
}

std::optional<std::string> last_field_text(const std::vector<RawField>& fields,
                                           std::string_view name) {
  const RawField* field = last_field(fields, name);
  if (field == nullptr) return std::nullopt;
  return header_text(*field);
}

// Every field of that name adds its addresses (obsolete messages repeat
// To or Cc, RFC 5322 §4.5.3).
std::vector<detail::EnvelopeAddress> addresses(const std::vector<RawField>& fields,
                                               std::string_view name) {
  std::vector<detail::EnvelopeAddress> out;
  for (const auto& f : fields) {
    if (!ascii_iequals(f.name, name)) continue;
    auto list = detail::parse_envelope_addresses(header_text(f));
    out.insert(out.end(), std::make_move_iterator(list.begin()),
               std::make_move_iterator(list.end()));
  }
  return out;
}

void append_envelope(std::string& out, const std::vector<RawField>& fields) {
  out += '(';
  append_imap_nstring(out, last_field_text(fields, "Date"));
  out += ' ';
  const RawField* subject = last_field(fields, "Subject");
  if (subject == nullptr) {
    out += "NIL";
  } else {
    // Line breaks kept: append_imap_text turns them into spaces.
    std::string_view v = subject->value;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    append_imap_text(out, v);
  }
  auto from = addresses(fields, "From");
  // RFC 3501 §7.4.2: Sender and Reply-To absent or empty are From.
  for (std::string_view name : {"From", "Sender", "Reply-To"}) {
    auto list = addresses(fields, name);
    out += ' ';
    append_addresses(out, list.empty() ? from : list);
  }
  for (std::string_view name : {"To", "Cc", "Bcc"}) {
    out += ' ';
    append_addresses(out, addresses(fields, name));
  }
  out += ' ';
  append_imap_nstring(out, last_field_text(fields, "In-Reply-To"));
  out += ' ';
  append_imap_nstring(out, last_field_text(fields, "Message-ID"));
  out += ')';
}

// RFC 2231 §3 continuations "name*0", "name*1*", ... joined into one
// parameter, as Dovecot shows them: "name" with the values joined, or
// "name*" (still charset'language'percent-encoded) when a segment is
// encoded. Other parameters stay as written, in order.
std::vector<HeaderParam> merge_continuations(const std::vector<HeaderParam>& params) {
  std::vector<HeaderParam> out;
  std::vector<std::pair<std::string, std::size_t>> merged;  // base name, index in out
  for (const auto& [name, value] : params) {
    auto star = name.find('*');
    bool numbered = star != std::string::npos && star + 1 < name.size() && name[star + 1] >= '0' &&
                    name[star + 1] <= '9';
    if (!numbered) {
      out.emplace_back(name, value);
      continue;
    }
    std::string base = name.substr(0, star);
    bool encoded = name.back() == '*';
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const auto& m) { return ascii_iequals(m.first, base); });
    if (it == merged.end()) {
      merged.emplace_back(base, out.size());
      out.emplace_back(encoded ? base + "*" : base, value);
    } else {
      auto& param = out[it->second];
      if (encoded && param.first.back() != '*') param.first += '*';
      param.second += value;
    }
  }
  return out;
}

void append_params(std::string& out, const std::vector<HeaderParam>& params) {
  if (params.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  bool first = true;
  for (const auto& [name, value] : params) {
    if (!first) out += ' ';
    first = false;
    append_imap_string(out, name);
    out += ' ';
    append_imap_string(out, value);
  }
  out += ')';
}

// body-ext-1part / body-ext-mpart after md5 or parameters: disposition,
// language, location (RFC 3501 §9).
void append_extension_tail(std::string& out, const Entity& e) {
  out += ' ';
  const RawField* disposition = e.mime_field("Content-Disposition");
  detail::ParamValue dsp;
  if (disposition != nullptr) dsp = detail::parse_param_value(header_text(*disposition), false);
  if (disposition == nullptr) {
    out += "NIL";
  } else {
    out += '(';
    append_imap_string(out, dsp.type);
    out += ' ';
    append_params(out, merge_continuations(dsp.params));
    out += ')';
  }
  out += ' ';
  auto language = mime_text(e, "Content-Language");
  std::vector<std::string> tags;
  if (language) {
    // RFC 3282: a comma-separated list of language tags; anything else
    // ends the list (Dovecot reads "en;fr" as "en").
    std::string tag;
    for (char c : *language + ",") {
      if (c == ',') {
        if (!tag.empty()) tags.push_back(std::move(tag));
        tag.clear();
      } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
        tag += c;
      } else if (c != ' ' && c != '\t') {
        if (!tag.empty()) tags.push_back(std::move(tag));
        break;
      }
    }
  }
  if (tags.empty()) {
    out += "NIL";
  } else {
    out += '(';
    for (std::size_t i = 0; i < tags.size(); ++i) {
      if (i > 0) out += ' ';
      append_imap_string(out, tags[i]);
    }
    out += ')';
  }
  out += ' ';
  append_imap_nstring(out, mime_text(e, "Content-Location"));
}

// Content-Transfer-Encoding when it is one token (RFC 2045 §6.1); Dovecot
// takes anything else ("7bit junk", "") for the default 7bit.
std::optional<std::string> transfer_encoding(const Entity& e) {
  auto value = mime_text(e, "Content-Transfer-Encoding");
  if (!value) return std::nullopt;
  while (!value->empty() && (value->back() == ' ' || value->back() == '\t')) value->pop_back();
  bool token = !value->empty() && std::all_of(value->begin(), value->end(), detail::is_token_char);
  if (!token) return std::nullopt;
  return value;
}

bool is_plain_default(const Entity& e) {
  const auto& ct = e.content_type;
  bool plain = ascii_iequals(ct.type, "text") && ascii_iequals(ct.subtype, "plain") &&
               (ct.params.empty() ||
                (ct.params.size() == 1 && ascii_iequals(ct.params[0].first, "charset") &&
                 ascii_iequals(ct.params[0].second, "us-ascii")));
  auto encoding = transfer_encoding(e);
  return plain && (!encoding || ascii_iequals(*encoding, "7bit")) &&
         e.mime_field("Content-ID") == nullptr && e.mime_field("Content-Description") == nullptr;
}

class StructureWriter {
 public:
  StructureWriter(std::string_view raw, bool extensible, const Entity& root)
      : raw_(raw), extensible_(extensible), root_(&root) {}

  void write(std::string& out, const Entity& e) {
    if (e.is_multipart()) {
      write_multipart(out, e);
    } else {
      write_single(out, e);
    }
  }

 private:
  void write_multipart(std::string& out, const Entity& e) {
    out += '(';
    if (e.children.empty()) {
      // RFC 3501 §9 body-type-mpart needs one body at least; a multipart
      // whose delimiters are missing shows one empty text part, as Dovecot.
      out += extensible_ ? kEmptyPartExtensible : kEmptyPart;
    }
    for (const auto& child : e.children) write(out, child);
    out += ' ';
    append_imap_string(out, e.content_type.subtype);
    if (extensible_) {
      out += ' ';
      append_params(out, e.content_type.params);
      append_extension_tail(out, e);
    }
    out += ')';
  }

  void write_single(std::string& out, const Entity& e) {
    std::string_view body = raw_.substr(e.body_begin, e.body_end - e.body_begin);
    out += '(';
    bool canonical = !extensible_ && &e == root_ && is_plain_default(e);
    if (canonical) {
      // Dovecot's BODY of a message that is plain US-ASCII text in 7bit is
      // the default spelling, however its header spells it ("7bit" too).
      out += R"("text" "plain" ("charset" "us-ascii"))";
    } else {
      append_imap_string(out, e.content_type.type);
      out += ' ';
      append_imap_string(out, e.content_type.subtype);
      out += ' ';
      auto params = merge_continuations(e.content_type.params);
      bool has_charset = std::any_of(params.begin(), params.end(), [](const HeaderParam& p) {
        return ascii_iequals(p.first, "charset");
      });
      // Text without a charset is US-ASCII (RFC 2046 §4.1.2); Dovecot says so.
      if (ascii_iequals(e.content_type.type, "text") && !has_charset) {
        params.emplace_back("charset", "us-ascii");
      }
      append_params(out, params);
    }
    out += ' ';
    append_imap_nstring(out, mime_text(e, "Content-ID"));
    out += ' ';
    append_imap_nstring(out, mime_text(e, "Content-Description"));
    out += ' ';
    auto encoding = transfer_encoding(e);
    bool given = encoding && !canonical;
    append_imap_string(out, given ? *encoding : "7bit");
    out += ' ';
    out += std::to_string(body.size());
    if (e.is_message() && !e.children.empty()) {
      const Entity& inner = e.children.front();
      out += ' ';
      append_envelope(out, inner.fields);
      out += ' ';
      write(out, inner);
      out += ' ';
      out += std::to_string(detail::count_lines(body));
    } else if (ascii_iequals(e.content_type.type, "text")) {
      out += ' ';
      out += std::to_string(detail::count_lines(body));
    }
    if (extensible_) {
      out += ' ';
      append_imap_nstring(out, mime_text(e, "Content-MD5"));
      append_extension_tail(out, e);
    }
    out += ')';
  }

  static constexpr std::string_view kEmptyPart =
      R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))";
  static constexpr std::string_view kEmptyPartExtensible =
      R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))";

  std::string_view raw_;
  bool extensible_;
  const Entity* root_;
};

}  // namespace

ImapStructure imap_structure(std::string_view raw) {
  Entity root = detail::parse_mime_tree(raw);
  ImapStructure out;
  append_envelope(out.envelope, root.fields);
  StructureWriter(raw, true, root).write(out.body_structure, root);
  StructureWriter(raw, false, root).write(out.body, root);
  return out;
}

std::string imap_envelope(std::string_view raw) {
  std::string out;
  append_envelope(out, detail::scan_header(raw).fields);
  return out;
}

}  // namespace postern::mime
