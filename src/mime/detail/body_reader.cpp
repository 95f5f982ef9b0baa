// MIME tree walk on GMime for parse_message and the reading view.
#include "mime/detail/body_reader.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/ascii.h"
#include "mime/detail/body_builder.h"
#include "mime/detail/charset.h"
#include "mime/detail/gobject_ptr.h"
#include "mime/detail/header_section.h"

namespace postern::mime::detail {
namespace {

std::string stream_bytes(GMimeStream* stream) {
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// The part's content with its transfer encoding (RFC 2045 §6) undone.
std::string decoded_content(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  auto out = adopt(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(wrapper, out.get());
  return stream_bytes(out.get());
}

// Whether a parameter value can be written as an RFC 2045 token.
bool is_token(std::string_view v) {
  if (v.empty()) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F &&
           std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  });
}

// "type/subtype" in lower case plus the parameters other than "name"
// (which duplicates the file name).
std::string content_type_string(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "application/octet-stream";
  GCharPtr mime_type(g_mime_content_type_get_mime_type(type));
  std::string out = ascii_lowered(to_string(mime_type.get()));
  GMimeParamList* params = g_mime_content_type_get_parameters(type);
  int n = params != nullptr ? g_mime_param_list_length(params) : 0;
  for (int i = 0; i < n; ++i) {
    GMimeParam* param = g_mime_param_list_get_parameter_at(params, i);
    std::string name = to_string(g_mime_param_get_name(param));
    std::string value = to_utf8(to_string(g_mime_param_get_value(param)), "");
    if (ascii_iequals(name, "name")) continue;
    out += "; " + name + "=";
    if (is_token(value)) {
      out += value;
    } else {
      out.push_back('"');
      for (char c : value) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
    }
  }
  return out;
}

// Content-ID without its angle brackets (RFC 2392), as written.
std::string content_id(GMimeObject* object) {
  std::string raw = unfold(to_string(g_mime_object_get_header(object, "Content-Id")));
  if (raw.size() >= 2 && raw.front() == '<' && raw.back() == '>') {
    raw = raw.substr(1, raw.size() - 2);
  }
  return raw;
}

// The charset an HTML document declares in its first KiB (<meta
// charset="..."> or http-equiv's "text/html; charset=..."), for a part
// whose Content-Type names none; a simplification of HTML's prescan
// (§13.2.3.2), which also looks that far.
std::string declared_charset(std::string_view html) {
  std::string head = ascii_lowered(html.substr(0, 1024));
  std::size_t at = head.find("charset=");
  if (at == std::string::npos) return {};
  std::size_t i = at + 8;
  while (i < head.size() && (head[i] == '"' || head[i] == '\'' || head[i] == ' ')) ++i;
  std::size_t end = i;
  while (end < head.size() &&
         (std::isalnum(static_cast<unsigned char>(head[end])) ||
          std::string_view("-_.:").find(head[end]) != std::string_view::npos)) {
    ++end;
  }
  return head.substr(i, end - i);
}

std::string text_of(GMimePart* part, bool html) {
  const char* label = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  std::string content = decoded_content(part);
  std::string charset = label != nullptr ? label : html ? declared_charset(content) : "";
  return normalize_newlines(to_utf8(content, charset));
}

Attachment describe(GMimeObject* object, std::string content) {
  Attachment att;
  att.content_type = content_type_string(object);
  att.content = std::move(content);
  att.content_id = content_id(object);
  const char* disposition = g_mime_object_get_disposition(object);
  att.is_inline =
      disposition != nullptr ? ascii_iequals(disposition, "inline") : !att.content_id.empty();
  const char* filename = g_mime_object_get_content_disposition_parameter(object, "filename");
  if (filename == nullptr) filename = g_mime_object_get_content_type_parameter(object, "name");
  att.filename = to_utf8(to_string(filename), "");
  return att;
}

std::string write_message(GMimeMessage* message) {
  auto format = crlf_format_options();
  auto stream = adopt(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(GMIME_OBJECT(message), format.get(), stream.get());
  return stream_bytes(stream.get());
}

// GMime copies charset names onto the stack (alloca): the charset of an
// encoded-word, from "=?" to the next '?' (RFC 2047 §2), and of an RFC 2231
// parameter value, from "*=" to the first '\''. A part header holding
// megabytes there overflows the stack of any thread. Such runs are refused
// before GMime sees them; the scan is linear because the "next stop" only
// moves forward.
constexpr std::size_t kMaxCharsetRun = 256 * 1024;

bool charset_runs_bounded(std::string_view raw, std::string_view opener, char stop) {
  std::size_t next_stop = 0;
  for (std::size_t p = raw.find(opener); p != std::string_view::npos; p = raw.find(opener, p + 2)) {
    std::size_t from = p + opener.size();
    if (next_stop < from) next_stop = raw.find(stop, from);
    if (next_stop == std::string_view::npos) return true;
    if (next_stop - from > kMaxCharsetRun) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<Leaf>> read_leaves(std::string_view raw) {
  if (!charset_runs_bounded(raw, "=?", '?') || !charset_runs_bounded(raw, "*=", '\'')) {
    return error_code(Errc::invalid_argument);
  }
  auto stream = adopt(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  auto parser = adopt(g_mime_parser_new_with_stream(stream.get()));
  auto message = adopt(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return error_code(Errc::invalid_argument);
  std::vector<Leaf> out;
  GMimeObject* root = g_mime_message_get_mime_part(message.get());
  if (root == nullptr) return out;
  bool have_text = false;
  bool have_html = false;
  // Part numbers as IMAP gives them (RFC 3501 §6.4.5): a single-part body
  // is "1", the children of a multipart "1", "2", ... below its own number.
  struct Pending {
    GMimeObject* object;
    std::string id;
  };
  std::vector<Pending> stack{{root, GMIME_IS_MULTIPART(root) ? "" : "1"}};
  while (!stack.empty()) {
    auto [object, id] = std::move(stack.back());
    stack.pop_back();
    if (GMIME_IS_MULTIPART(object)) {
      auto* mp = GMIME_MULTIPART(object);
      std::string prefix = id.empty() ? "" : id + ".";
      for (int i = g_mime_multipart_get_count(mp) - 1; i >= 0; --i) {
        stack.push_back({g_mime_multipart_get_part(mp, i), prefix + std::to_string(i + 1)});
      }
    } else if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      out.push_back({std::move(id), LeafRole::attachment,
                     describe(object, inner != nullptr ? write_message(inner) : "")});
    } else if (GMIME_IS_PART(object)) {
      auto* part = GMIME_PART(object);
      GMimeContentType* type = g_mime_object_get_content_type(object);
      bool plain = g_mime_content_type_is_type(type, "text", "plain");
      bool html = g_mime_content_type_is_type(type, "text", "html");
      const char* disposition = g_mime_object_get_disposition(object);
      bool body = (plain || html) &&
                  (disposition == nullptr || !ascii_iequals(disposition, "attachment")) &&
                  g_mime_part_get_filename(part) == nullptr && content_id(object).empty();
      if (body && plain && !have_text) {
        out.push_back({std::move(id), LeafRole::text, describe(object, text_of(part, false))});
        have_text = true;
      } else if (body && html && !have_html) {
        out.push_back({std::move(id), LeafRole::html, describe(object, text_of(part, true))});
        have_html = true;
      } else {
        out.push_back(
            {std::move(id), LeafRole::attachment, describe(object, decoded_content(part))});
      }
    }
  }
  return out;
}

Result<BodyContent> read_body(std::string_view raw) {
  auto leaves = read_leaves(raw);
  if (!leaves) return leaves.error();
  BodyContent out;
  for (auto& leaf : *leaves) {
    switch (leaf.role) {
      case LeafRole::text:
        out.text = std::move(leaf.part.content);
        break;
      case LeafRole::html:
        out.html = std::move(leaf.part.content);
        break;
      case LeafRole::attachment:
        out.attachments.push_back(std::move(leaf.part));
        break;
    }
  }
  return out;
}

}  // namespace postern::mime::detail
