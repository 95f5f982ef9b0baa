// The mail/send body rules of SendGrid's API, answered with SendGrid's
// own error texts (errors page and observed bodies).
#include <boost/json.hpp>
#include <cctype>
#include <set>

#include "core/address.h"
#include "core/ascii.h"
#include "core/base64.h"
#include "sim/sendgrid/sendgrid_service.h"

namespace postern::sim {

namespace {

constexpr std::string_view kHelp =
    "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#";
constexpr std::size_t kMaxPersonalizations = 1000;
constexpr std::size_t kMaxRecipients = 1000;

void add_error(boost::json::array& errors, std::string_view message, std::string_view field,
               std::string_view help_anchor) {
  boost::json::object e{{"message", message}};
  e["field"] = field.empty() ? boost::json::value(nullptr) : boost::json::value(field);
  e["help"] = help_anchor.empty()
                  ? boost::json::value(nullptr)
                  : boost::json::value(std::string(kHelp) + std::string(help_anchor));
  errors.emplace_back(std::move(e));
}

bool non_empty_string(const boost::json::value* v) {
  return v && v->is_string() && !v->get_string().empty();
}

// One personalization: its to/cc/bcc addresses (valid and unique within it).
// Returns how many recipients it has.
std::size_t check_personalization(const boost::json::value& value, std::size_t i,
                                  boost::json::array& errors) {
  const std::string base = "personalizations." + std::to_string(i);
  const auto* p = value.if_object();
  const auto* to = p ? p->if_contains("to") : nullptr;
  if (!to || !to->is_array() || to->get_array().empty()) {
    add_error(errors,
              "The to array is required for all personalization objects, and must have at least "
              "one email object "
              "with a valid email address.",
              base + ".to", "message.personalizations.to");
  }
  if (!p) return 0;
  std::size_t recipients = 0;
  std::set<std::string> seen;
  bool duplicate_reported = false;
  for (std::string_view kind : {"to", "cc", "bcc"}) {
    const auto* list = p->if_contains(kind);
    if (!list || !list->is_array()) continue;
    std::size_t j = 0;
    for (const auto& entry : list->get_array()) {
      const std::string field = base + "." + std::string(kind) + "." + std::to_string(j++);
      const auto* email = entry.is_object() ? entry.get_object().if_contains("email") : nullptr;
      if (!email || !email->is_string() || !validate_address(email->get_string())) {
        add_error(errors, "Does not contain a valid address.", field + ".email", "-Email-Address");
        continue;
      }
      ++recipients;
      if (!seen.insert(ascii_lowered(email->get_string())).second && !duplicate_reported) {
        duplicate_reported = true;
        add_error(errors,
                  "Each email address in the personalization block should be unique between to, "
                  "cc, and bcc. We "
                  "found the first duplicate instance of [" +
                      std::string(email->get_string()) + "] in the " + base + "." +
                      std::string(kind) + " field.",
                  base, "message.recipient-errors");
      }
    }
  }
  return recipients;
}

void check_content(const boost::json::object& body, boost::json::array& errors) {
  const auto* content = body.if_contains("content");
  if (!content || !content->is_array() || content->get_array().empty()) {
    if (!body.contains("template_id")) {
      add_error(errors,
                "Unless a valid template_id is provided, the content parameter is required. There "
                "must be at least "
                "one defined content block. We typically suggest both text/plain and text/html "
                "blocks are included, "
                "but only one block is required.",
                "content", "message.content");
    }
    return;
  }
  int plain = -1, html = -1, first_other = -1, plain_count = 0, html_count = 0;
  int i = 0;
  for (const auto& block : content->get_array()) {
    const auto* o = block.if_object();
    const auto* type = o ? o->if_contains("type") : nullptr;
    const auto* value = o ? o->if_contains("value") : nullptr;
    const std::string index = std::to_string(i);
    if (!non_empty_string(value)) {
      add_error(errors, "The content value must be a string at least one character in length.",
                "content." + index + ".value", "message.content.value");
    }
    if (!non_empty_string(type)) {
      add_error(errors, "The content type must be a string at least one character in length.",
                "content." + index + ".type", "message.content.type");
    } else {
      auto t = ascii_lowered(type->get_string());
      if (t == "text/plain") {
        ++plain_count;
        if (plain < 0) plain = i;
      } else if (t == "text/html") {
        ++html_count;
        if (html < 0) html = i;
      } else if (first_other < 0) {
        first_other = i;
      }
    }
    ++i;
  }
  if (plain_count > 1 || html_count > 1) {
    add_error(errors, "If present, text/plain and text/html may only be provided once.", "content",
              "");
  }
  // text/plain first, then text/html, then anything else.
  bool misordered = (plain >= 0 && html >= 0 && html < plain) ||
                    (first_other >= 0 &&
                     ((plain >= 0 && first_other < plain) || (html >= 0 && first_other < html)));
  if (misordered) {
    add_error(errors,
              "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent "
              "in your email: "
              "text/plain needs to be first, followed by text/html, followed by any other content.",
              "content", "message.content");
  }
}

void check_attachments(const boost::json::object& body, boost::json::array& errors) {
  const auto* attachments = body.if_contains("attachments");
  if (!attachments || !attachments->is_array()) return;
  std::size_t i = 0;
  for (const auto& a : attachments->get_array()) {
    const std::string base = "attachments." + std::to_string(i++);
    const auto* o = a.if_object();
    const auto* content = o ? o->if_contains("content") : nullptr;
    if (!non_empty_string(content) || !base64_decode(content->get_string())) {
      add_error(errors, "The attachment content must be base64 encoded.", base + ".content",
                "message.attachments.content");
    }
    if (!non_empty_string(o ? o->if_contains("filename") : nullptr)) {
      add_error(errors, "The attachment filename parameter is required.", base + ".filename",
                "message.attachments.filename");
    }
  }
}

}  // namespace

boost::json::array sendgrid_validate(const boost::json::object& body) {
  boost::json::array errors;
  const auto* personalizations = body.if_contains("personalizations");
  bool every_personalization_has_subject = false;
  if (!personalizations || !personalizations->is_array() || personalizations->get_array().empty()) {
    add_error(errors,
              "The personalizations field is required and must have at least one personalization.",
              "personalizations", "-Personalizations-Errors");
  } else {
    const auto& list = personalizations->get_array();
    if (list.size() > kMaxPersonalizations) {
      add_error(errors,
                "The personalization block is limited to 1000 personalizations per API request. "
                "You have provided " +
                    std::to_string(list.size()) +
                    " personalizations. Please consider splitting this into multiple requests and "
                    "resending your "
                    "request.",
                "personalizations", "message.personalizations");
    }
    std::size_t recipients = 0;
    every_personalization_has_subject = true;
    for (std::size_t i = 0; i < list.size(); ++i) {
      recipients += check_personalization(list[i], i, errors);
      const auto* p = list[i].if_object();
      if (!p || !non_empty_string(p->if_contains("subject")))
        every_personalization_has_subject = false;
    }
    if (recipients > kMaxRecipients) {
      add_error(errors, "There is a limit of 1000 total recipients (to + cc + bcc) per request.",
                "personalizations", "message.personalizations");
    }
  }

  const auto* from = body.if_contains("from");
  const auto* from_email =
      from && from->is_object() ? from->get_object().if_contains("email") : nullptr;
  if (!non_empty_string(from_email)) {
    add_error(errors,
              "The from object must be provided for every email send. It is an object that "
              "requires the email "
              "parameter, but may also contain a name parameter.  e.g. {\"email\" : "
              "\"example@example.com\"}  or "
              "{\"email\" : \"example@example.com\", \"name\" : \"Example Recipient\"}.",
              "from.email", "message.from");
  } else if (!validate_address(from_email->get_string())) {
    add_error(errors, "The from email does not contain a valid address.", "from.email",
              "message.from");
  }

  if (!non_empty_string(body.if_contains("subject")) && !every_personalization_has_subject &&
      !body.contains("template_id")) {
    add_error(errors,
              "The subject is required. You can get around this requirement if you use a template "
              "with a subject "
              "defined or if every personalization has a subject defined.",
              "subject", "message.subject");
  }
  check_content(body, errors);
  check_attachments(body, errors);
  return errors;
}

}  // namespace postern::sim
