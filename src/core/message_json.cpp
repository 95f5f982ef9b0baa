#include "core/message_json.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>

#include "core/ascii.h"
#include "core/base64.h"

namespace postern {
namespace json = boost::json;
namespace {

using Fail = FieldError;

Fail fail(std::string code, std::string message, std::string field) {
  return Fail{std::move(code), std::move(message), std::move(field)};
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

Result<Mailbox, Fail> mailbox_from(const json::value& v, const std::string& field) {
  if (v.is_string()) {
    auto parsed = parse_mailbox(v.get_string());
    if (!parsed) return fail("invalid_address", parsed.error().reason, field);
    return std::move(*parsed);
  }
  if (v.is_object()) {
    const auto& o = v.get_object();
    for (const auto& kv : o) {
      if (kv.key() != "email" && kv.key() != "name") {
        return fail("unknown_field", "unknown field '" + std::string(kv.key()) + "'",
                    field + "." + std::string(kv.key()));
      }
    }
    const auto* email = o.if_contains("email");
    if (!email || !email->is_string()) {
      return fail("missing_field", "an address object needs a string 'email'", field + ".email");
    }
    Mailbox m;
    m.address = std::string(email->get_string());
    if (auto ok = validate_address(m.address); !ok) {
      return fail("invalid_address", ok.error().reason, field + ".email");
    }
    if (const auto* name = o.if_contains("name")) {
      if (!name->is_string())
        return fail("invalid_type", "'name' must be a string", field + ".name");
      m.name = std::string(name->get_string());
      if (has_line_break(m.name)) {
        return fail("invalid_value", "'name' must not contain line breaks", field + ".name");
      }
    }
    return m;
  }
  return fail("invalid_type", "an address must be a string or an object", field);
}

Result<std::vector<Mailbox>, Fail> mailbox_list_from(const json::value& v,
                                                     const std::string& field) {
  if (v.is_string()) {
    auto list = parse_mailbox_list(v.get_string());
    if (!list) return fail("invalid_address", list.error().reason, field);
    return std::move(*list);
  }
  if (!v.is_array()) {
    return fail("invalid_type", "must be a string or an array of addresses", field);
  }
  std::vector<Mailbox> out;
  const auto& a = v.get_array();
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto m = mailbox_from(a[i], field + "[" + std::to_string(i) + "]");
    if (!m) return m.error();
    out.push_back(std::move(*m));
  }
  return out;
}

Result<std::string, Fail> string_from(const json::value& v, const std::string& field) {
  if (!v.is_string()) return fail("invalid_type", "'" + field + "' must be a string", field);
  // in_place: FieldError is constructible from a string too.
  return Result<std::string, Fail>(boost::system::in_place_value, v.get_string());
}

Result<Attachment, Fail> attachment_from(const json::value& v, const std::string& field) {
  if (!v.is_object()) return fail("invalid_type", "an attachment must be an object", field);
  Attachment a;
  bool has_filename = false, has_content = false;
  for (const auto& kv : v.get_object()) {
    std::string key(kv.key());
    std::string sub = field + "." + key;
    if (key == "filename" || key == "content_type" || key == "content_id" || key == "disposition" ||
        key == "content") {
      auto s = string_from(kv.value(), sub);
      if (!s) return s.error();
      if (key != "content" && has_line_break(*s)) {
        return fail("invalid_value", "'" + key + "' must not contain line breaks", sub);
      }
      if (key == "filename") {
        if (s->empty()) return fail("invalid_value", "'filename' must not be empty", sub);
        a.filename = std::move(*s);
        has_filename = true;
      } else if (key == "content_type") {
        if (s->find('/') == std::string::npos) {
          return fail("invalid_value", "'content_type' must be a MIME type such as text/csv", sub);
        }
        a.content_type = std::move(*s);
      } else if (key == "content_id") {
        a.content_id = std::move(*s);
      } else if (key == "disposition") {
        if (*s != "attachment" && *s != "inline") {
          return fail("invalid_value", "'disposition' must be \"attachment\" or \"inline\"", sub);
        }
        a.is_inline = *s == "inline";
      } else {
        auto decoded = base64_decode(*s);
        if (!decoded) return fail("invalid_base64", "'content' is not valid base64", sub);
        a.content = std::move(*decoded);
        has_content = true;
      }
    } else {
      return fail("unknown_field", "unknown field '" + key + "'", sub);
    }
  }
  if (!has_filename)
    return fail("missing_field", "an attachment needs a 'filename'", field + ".filename");
  if (!has_content)
    return fail("missing_field", "an attachment needs base64 'content'", field + ".content");
  return a;
}

Result<HeaderList, Fail> string_map_from(const json::value& v, const std::string& field) {
  if (!v.is_object())
    return fail("invalid_type", "'" + field + "' must be an object of strings", field);
  HeaderList out;
  for (const auto& kv : v.get_object()) {
    std::string sub = field + "." + std::string(kv.key());
    if (!kv.value().is_string()) return fail("invalid_type", "values must be strings", sub);
    out.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

std::size_t recipient_count(const Message& m) { return m.to.size() + m.cc.size() + m.bcc.size(); }

Result<void, Fail> check_limits(const Message& m, const MessageLimits& limits) {
  if (m.from.address.empty()) return fail("missing_field", "'from' is required", "from");
  if (recipient_count(m) == 0) {
    return fail("missing_field", "at least one recipient is required in 'to', 'cc' or 'bcc'", "to");
  }
  if (recipient_count(m) > limits.max_recipients) {
    return fail("too_many_recipients",
                "at most " + std::to_string(limits.max_recipients) + " recipients are allowed",
                "to");
  }
  if (m.text.empty() && m.html.empty()) {
    return fail("missing_field", "one of 'text' or 'html' is required", "text");
  }
  if (m.subject.size() > limits.max_subject_bytes) {
    return fail("invalid_value", "'subject' is too long", "subject");
  }
  std::size_t total = m.text.size() + m.html.size() + m.subject.size();
  for (const auto& a : m.attachments) total += a.content.size();
  if (total > limits.max_message_bytes) {
    return fail("message_too_large",
                "the message is larger than " + std::to_string(limits.max_message_bytes) + " bytes",
                m.attachments.empty() ? "text" : "attachments");
  }
  if (m.tags.size() > limits.max_tags) {
    return fail("too_many_tags", "at most " + std::to_string(limits.max_tags) + " tags are allowed",
                "tags");
  }
  for (std::size_t i = 0; i < m.tags.size(); ++i) {
    const auto& t = m.tags[i];
    if (t.empty() || t.size() > limits.max_tag_length || has_line_break(t)) {
      return fail(
          "invalid_value",
          "a tag must be 1 to " + std::to_string(limits.max_tag_length) + " characters on one line",
          "tags[" + std::to_string(i) + "]");
    }
  }
  std::size_t meta = 0;
  for (const auto& [k, v] : m.metadata) meta += k.size() + v.size();
  if (meta > limits.max_metadata_bytes) {
    return fail("invalid_value",
                "'metadata' is larger than " + std::to_string(limits.max_metadata_bytes) + " bytes",
                "metadata");
  }
  for (const auto& [name, value] : m.headers) {
    if (!is_allowed_custom_header(name)) {
      return fail("invalid_header",
                  "header '" + name +
                      "' cannot be set here (use the message fields, or it is not a valid name)",
                  "headers." + name);
    }
    if (has_line_break(value)) {
      return fail("invalid_header", "header values must not contain line breaks",
                  "headers." + name);
    }
  }
  return {};
}

json::array mailboxes_to_json(const std::vector<Mailbox>& list) {
  json::array a;
  a.reserve(list.size());
  for (const auto& m : list) {
    if (m.name.empty()) {
      a.emplace_back(m.address);
    } else {
      a.emplace_back(json::object{{"email", m.address}, {"name", m.name}});
    }
  }
  return a;
}

}  // namespace

MessageLimits MessageLimits::unlimited() {
  MessageLimits none;
  none.max_recipients = SIZE_MAX;
  none.max_message_bytes = SIZE_MAX;
  none.max_metadata_bytes = SIZE_MAX;
  none.max_tags = SIZE_MAX;
  none.max_tag_length = SIZE_MAX;
  none.max_subject_bytes = SIZE_MAX;
  return none;
}

bool is_allowed_custom_header(std::string_view name) {
  if (name.empty() || name.size() > 76) return false;
  for (char c : name) {
    if (c < 33 || c > 126 || c == ':') return false;
  }
  // Content-* headers describe the MIME structure Postern builds itself.
  if (name.size() >= 8 && ascii_iequals(name.substr(0, 8), "content-")) return false;
  static constexpr std::array<std::string_view, 11> kReserved = {
      "from", "to",         "cc",           "bcc",    "reply-to",   "subject",
      "date", "message-id", "mime-version", "sender", "return-path"};
  return std::none_of(kReserved.begin(), kReserved.end(),
                      [&](std::string_view r) { return ascii_iequals(r, name); });
}

Result<Message, FieldError> message_from_json(std::string_view text, const MessageLimits& limits) {
  boost::system::error_code ec;
  // The DOM of a typical message fits here, so parsing touches no heap.
  std::array<unsigned char, 16384> scratch;
  json::monotonic_resource mr(scratch.data(), scratch.size());
  json::parse_options opts;
  opts.max_depth = 16;
  json::value doc = json::parse(text, ec, &mr, opts);
  if (ec) return fail("invalid_json", "the body is not valid JSON: " + ec.message(), "");
  if (!doc.is_object()) return fail("invalid_json", "the body must be a JSON object", "");

  Message m;
  for (const auto& kv : doc.get_object()) {
    std::string key(kv.key());
    const auto& v = kv.value();
    if (key == "from") {
      auto r = mailbox_from(v, key);
      if (!r) return r.error();
      m.from = std::move(*r);
    } else if (key == "to" || key == "cc" || key == "bcc" || key == "reply_to") {
      auto r = mailbox_list_from(v, key);
      if (!r) return r.error();
      auto& dst = key == "to" ? m.to : key == "cc" ? m.cc : key == "bcc" ? m.bcc : m.reply_to;
      dst = std::move(*r);
    } else if (key == "subject" || key == "text" || key == "html") {
      auto r = string_from(v, key);
      if (!r) return r.error();
      if (key == "subject" && has_line_break(*r)) {
        return fail("invalid_value", "'subject' must not contain line breaks", key);
      }
      (key == "subject" ? m.subject : key == "text" ? m.text : m.html) = std::move(*r);
    } else if (key == "headers" || key == "metadata") {
      auto r = string_map_from(v, key);
      if (!r) return r.error();
      (key == "headers" ? m.headers : m.metadata) = std::move(*r);
    } else if (key == "attachments") {
      if (!v.is_array()) return fail("invalid_type", "'attachments' must be an array", key);
      const auto& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        auto r = attachment_from(a[i], "attachments[" + std::to_string(i) + "]");
        if (!r) return r.error();
        m.attachments.push_back(std::move(*r));
      }
    } else if (key == "tags") {
      if (!v.is_array()) return fail("invalid_type", "'tags' must be an array of strings", key);
      const auto& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        auto r = string_from(a[i], "tags[" + std::to_string(i) + "]");
        if (!r) return r.error();
        m.tags.push_back(std::move(*r));
      }
    } else {
      return fail("unknown_field", "unknown field '" + key + "'", key);
    }
  }
  if (auto ok = check_limits(m, limits); !ok) return ok.error();
  return m;
}

std::string message_to_json(const Message& m) {
  json::object o;
  if (m.from.name.empty()) {
    o["from"] = m.from.address;
  } else {
    o["from"] = json::object{{"email", m.from.address}, {"name", m.from.name}};
  }
  if (!m.to.empty()) o["to"] = mailboxes_to_json(m.to);
  if (!m.cc.empty()) o["cc"] = mailboxes_to_json(m.cc);
  if (!m.bcc.empty()) o["bcc"] = mailboxes_to_json(m.bcc);
  if (!m.reply_to.empty()) o["reply_to"] = mailboxes_to_json(m.reply_to);
  if (!m.subject.empty()) o["subject"] = m.subject;
  if (!m.text.empty()) o["text"] = m.text;
  if (!m.html.empty()) o["html"] = m.html;
  auto map_to_json = [](const HeaderList& list) {
    json::object obj;
    for (const auto& [k, v] : list) obj[k] = v;
    return obj;
  };
  if (!m.headers.empty()) o["headers"] = map_to_json(m.headers);
  if (!m.metadata.empty()) o["metadata"] = map_to_json(m.metadata);
  if (!m.attachments.empty()) {
    json::array a;
    for (const auto& att : m.attachments) {
      json::object x{{"filename", att.filename},
                     {"content_type", att.content_type},
                     {"content", base64_encode(att.content)}};
      if (!att.content_id.empty()) x["content_id"] = att.content_id;
      if (att.is_inline) x["disposition"] = "inline";
      a.emplace_back(std::move(x));
    }
    o["attachments"] = std::move(a);
  }
  if (!m.tags.empty()) {
    json::array a;
    for (const auto& t : m.tags) a.emplace_back(t);
    o["tags"] = std::move(a);
  }
  return json::serialize(o);
}

}  // namespace postern
