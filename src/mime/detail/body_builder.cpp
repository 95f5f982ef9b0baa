// MIME tree construction on GMime for build_message; GMime does the
// quoted-printable/base64 encoding and the RFC 2231 parameter encoding.
#include "mime/detail/body_builder.h"

#include <cstdint>
#include <vector>

#include "core/hex.h"
#include "mime/detail/gobject_ptr.h"
#include "mime/detail/header_section.h"

namespace postern::mime::detail {
namespace {

using ObjectPtr = GObjectPtr<GMimeObject>;

constexpr std::size_t kMaxTextLine = 78;    // RFC 5322 §2.1.1 SHOULD
constexpr std::size_t kMaxContentId = 900;  // "Content-Id: <" + id + ">" within 998

// Every boundary starts with "=_": quoted-printable writes '=' only as "=3D"
// or before hex digits or a line end, base64 has no '_', and a 7bit part is
// chosen only when its text has no "=_". So no content line can ever
// contain a delimiter (RFC 2046 §5.1.1).
class Boundaries {
 public:
  explicit Boundaries(std::string_view seed) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
    for (char c : seed) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    prefix_ = "=_pst_" + to_hex16(hash) + "_";
  }
  // At most three multiparts, so the suffix is one digit and no boundary is
  // a prefix of another.
  std::string next() { return prefix_ + std::to_string(count_++); }

 private:
  std::string prefix_;
  int count_ = 0;
};

template <class T>
ObjectPtr as_object(GObjectPtr<T> p) {
  return ObjectPtr(GMIME_OBJECT(p.release()));
}

void set_content(GMimePart* part, std::string_view bytes) {
  auto stream = adopt(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  auto wrapper =
      adopt(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
}

// 7bit is used only for text every reader will show unchanged: printable
// ASCII, lines within 78 octets (RFC 5322 §2.1.1), no trailing whitespace
// (relays may strip it), and no "=_" (see Boundaries).
bool needs_quoted_printable(std::string_view text) {
  if (text.find("=_") != std::string_view::npos) return true;
  std::size_t line = 0;
  char prev = '\n';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      if (prev == ' ' || prev == '\t') return true;
      line = 0;
    } else {
      if (c >= 0x7F || (c < 0x20 && ch != '\t')) return true;
      if (++line > kMaxTextLine) return true;
    }
    prev = ch;
  }
  return prev == ' ' || prev == '\t';
}

ObjectPtr text_part(const char* subtype, std::string_view text) {
  std::string normalized = normalize_newlines(text);
  auto part = adopt(g_mime_part_new_with_type("text", subtype));
  GMimeObject* object = GMIME_OBJECT(part.get());
  g_mime_object_set_content_type_parameter(object, "charset", "utf-8");
  g_mime_part_set_content_encoding(part.get(), needs_quoted_printable(normalized)
                                                   ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
                                                   : GMIME_CONTENT_ENCODING_7BIT);
  set_content(part.get(), normalized);
  return as_object(std::move(part));
}

// Types that RFC 2046 §5.1.1/§5.2 allow only in 7bit, 8bit or binary.
bool is_composite(GMimeContentType* type) {
  return g_mime_content_type_is_type(type, "multipart", "*") ||
         g_mime_content_type_is_type(type, "message", "rfc822") ||
         g_mime_content_type_is_type(type, "message", "partial") ||
         g_mime_content_type_is_type(type, "message", "external-body");
}

// Content that may go without transfer encoding: no NUL, no bare CR, lines
// within 998 octets. Returns the encoding to use, or BASE64 when none fits.
GMimeContentEncoding identity_encoding(std::string_view bytes) {
  bool eight_bit = false;
  std::size_t line = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n') {
      line = 0;
      continue;
    }
    if (c == 0 || (c == '\r' && (i + 1 == bytes.size() || bytes[i + 1] != '\n'))) {
      return GMIME_CONTENT_ENCODING_BASE64;
    }
    if (c >= 0x80) eight_bit = true;
    if (c != '\r' && ++line > kMaxLineLength) return GMIME_CONTENT_ENCODING_BASE64;
  }
  return eight_bit ? GMIME_CONTENT_ENCODING_8BIT : GMIME_CONTENT_ENCODING_7BIT;
}

// Controls would break the parameter; they have no place in a file name.
std::string clean_filename(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '_';
  }
  return out;
}

// msg-id characters only (RFC 2392 §2 via RFC 5322 §3.6.4); brackets added
// by GMime. An id too long for one line (RFC 5322 §2.1.1) is not written.
std::string clean_content_id(std::string_view cid) {
  if (cid.size() >= 2 && cid.front() == '<' && cid.back() == '>') {
    cid = cid.substr(1, cid.size() - 2);
  }
  std::string out;
  for (char c : cid) {
    auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7F && c != '<' && c != '>') out.push_back(c);
  }
  return out.size() <= kMaxContentId ? out : std::string();
}

// RFC 6838 §4.2 limits type and subtype names to 127 characters; longer
// ones could not be folded under 998 octets (RFC 5322 §2.1.1).
bool plausible_media_type(GMimeContentType* type) {
  auto length = [](const char* s) { return s == nullptr ? 0 : std::string_view(s).size(); };
  std::size_t t = length(g_mime_content_type_get_media_type(type));
  std::size_t st = length(g_mime_content_type_get_media_subtype(type));
  return t > 0 && t <= 127 && st > 0 && st <= 127;
}

void set_utf8_param(GMimeParamList* params, const char* name, const std::string& value) {
  g_mime_param_list_set_parameter(params, name, value.c_str());
  GMimeParam* param = g_mime_param_list_get_parameter(params, name);
  // RFC 2231 with utf-8 rather than GMime's guess (which prefers ISO-8859-1).
  if (param != nullptr) g_mime_param_set_charset(param, "utf-8");
}

ObjectPtr attachment_part(const Attachment& att) {
  auto part = adopt(g_mime_part_new());
  GMimeObject* object = GMIME_OBJECT(part.get());
  auto type = adopt(g_mime_content_type_parse(nullptr, att.content_type.c_str()));
  if (!plausible_media_type(type.get())) {
    type = adopt(g_mime_content_type_new("application", "octet-stream"));
  }
  GMimeContentEncoding encoding = GMIME_CONTENT_ENCODING_BASE64;
  if (is_composite(type.get())) {
    encoding = g_mime_content_type_is_type(type.get(), "message", "rfc822")
                   ? identity_encoding(att.content)
                   : GMIME_CONTENT_ENCODING_BASE64;
    if (encoding == GMIME_CONTENT_ENCODING_BASE64) {
      type = adopt(g_mime_content_type_new("application", "octet-stream"));
    }
  }
  g_mime_object_set_content_type(object, type.get());
  g_mime_part_set_content_encoding(part.get(), encoding);
  auto disposition = adopt(g_mime_content_disposition_new());
  g_mime_content_disposition_set_disposition(disposition.get(),
                                             att.is_inline ? "inline" : "attachment");
  if (!att.filename.empty()) {
    std::string name = clean_filename(att.filename);
    set_utf8_param(g_mime_content_disposition_get_parameters(disposition.get()), "filename", name);
    set_utf8_param(g_mime_content_type_get_parameters(type.get()), "name", name);
  }
  g_mime_object_set_content_disposition(object, disposition.get());
  if (std::string cid = clean_content_id(att.content_id); !cid.empty()) {
    g_mime_object_set_content_id(object, cid.c_str());
  }
  set_content(part.get(), att.content);
  return as_object(std::move(part));
}

ObjectPtr multipart(const char* subtype, std::vector<ObjectPtr> parts, Boundaries& boundaries) {
  auto mp = adopt(g_mime_multipart_new_with_subtype(subtype));
  g_mime_multipart_set_boundary(mp.get(), boundaries.next().c_str());
  for (auto& p : parts) g_mime_multipart_add(mp.get(), p.get());
  return as_object(std::move(mp));
}

std::string write_object(GMimeObject* object) {
  auto format = crlf_format_options();
  auto stream = adopt(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(object, format.get(), stream.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string build_body(const Message& message, std::string_view boundary_seed) {
  Boundaries boundaries(boundary_seed);
  bool has_html = !message.html.empty();
  std::vector<ObjectPtr> related_parts;
  std::vector<ObjectPtr> mixed_parts;
  for (const auto& att : message.attachments) {
    (att.is_inline && has_html ? related_parts : mixed_parts).push_back(attachment_part(att));
  }
  ObjectPtr html;
  if (has_html) {
    html = text_part("html", message.html);
    if (!related_parts.empty()) {
      related_parts.insert(related_parts.begin(), std::move(html));
      html = multipart("related", std::move(related_parts), boundaries);
      // RFC 2387 §3.1: the type of the root part.
      g_mime_object_set_content_type_parameter(html.get(), "type", "text/html");
    }
  }
  ObjectPtr core;
  if (!message.text.empty() && html) {
    std::vector<ObjectPtr> alternatives;
    alternatives.push_back(text_part("plain", message.text));
    alternatives.push_back(std::move(html));
    core = multipart("alternative", std::move(alternatives), boundaries);
  } else if (html) {
    core = std::move(html);
  } else if (!message.text.empty() || mixed_parts.empty()) {
    core = text_part("plain", message.text);
  }
  if (mixed_parts.empty()) return write_object(core.get());
  if (core) mixed_parts.insert(mixed_parts.begin(), std::move(core));
  auto root = multipart("mixed", std::move(mixed_parts), boundaries);
  return write_object(root.get());
}

}  // namespace postern::mime::detail
