#include "http/message_view.h"

#include <boost/json/array.hpp>

#include "core/time_format.h"

namespace postern::http {
namespace json = boost::json;

namespace {

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

}  // namespace

json::object message_summary_json(const store::MessageSummary& m) {
  json::object o;
  o["id"] = m.id.to_string();
  o["status"] = to_string(m.status);
  o["created_at"] = format_rfc3339(m.created_at);
  o["updated_at"] = format_rfc3339(m.updated_at);
  o["next_attempt_at"] = m.status == MessageStatus::deferred
                             ? json::value(format_rfc3339(m.next_attempt_at))
                             : nullptr;
  o["attempts"] = m.attempts;
  o["from"] = m.sender;
  json::array to, cc, bcc;
  for (const auto& r : m.recipients) {
    (r.kind == RecipientKind::to   ? to
     : r.kind == RecipientKind::cc ? cc
                                   : bcc)
        .emplace_back(r.address);
  }
  o["to"] = std::move(to);
  o["cc"] = std::move(cc);
  o["bcc"] = std::move(bcc);
  o["settled_recipients"] = string_array(m.settled_recipients);
  o["refused_recipients"] = string_array(m.refused_recipients);
  o["subject"] = m.subject;
  o["tags"] = string_array(m.tags);
  o["size"] = m.size;
  o["format"] = m.format == ContentFormat::json ? "json" : "mime";
  o["provider"] = m.provider.empty() ? json::value(nullptr) : json::value(m.provider);
  o["provider_message_id"] =
      m.provider_message_id.empty() ? json::value(nullptr) : json::value(m.provider_message_id);
  o["last_error"] = m.last_error.empty() ? json::value(nullptr) : json::value(m.last_error);
  return o;
}

json::object message_detail_json(const store::MessageDetail& d) {
  auto o = message_summary_json(d.summary);
  json::array events;
  for (const auto& e : d.events) {
    json::object x;
    x["seq"] = e.seq;
    x["at"] = format_rfc3339(e.at);
    x["type"] = e.type;
    x["status"] = to_string(e.status);
    if (!e.provider.empty()) x["provider"] = e.provider;
    if (!e.recipient.empty()) x["recipient"] = e.recipient;
    if (!e.failure_class.empty()) x["class"] = e.failure_class;
    if (!e.code.empty()) x["code"] = e.code;
    if (e.latency.count() > 0) x["latency_ms"] = static_cast<double>(e.latency.count()) / 1000.0;
    if (!e.detail.empty()) x["detail"] = e.detail;
    events.emplace_back(std::move(x));
  }
  o["events"] = std::move(events);
  // What providers reported per recipient (docs/events.md).
  json::array recipients;
  for (const auto& r : d.recipient_states) {
    recipients.emplace_back(json::object{{"address", r.address},
                                         {"state", r.state},
                                         {"at", format_rfc3339(r.at)},
                                         {"detail", r.detail},
                                         {"provider", r.provider}});
  }
  o["recipients"] = std::move(recipients);
  return o;
}

}  // namespace postern::http
