#include "http/message_view.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <optional>

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

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// What Postern itself knows of a recipient no provider reported on, from
// the message's status and its settled, refused and suppressed lists.
std::string_view send_time_state(const store::MessageSummary& m, const std::string& address) {
  if (contains(m.suppressed_recipients, address)) return "suppressed";
  if (contains(m.refused_recipients, address)) return "refused";
  if (m.status == MessageStatus::sent || contains(m.settled_recipients, address)) return "sent";
  if (m.status == MessageStatus::failed) return "failed";
  if (m.status == MessageStatus::cancelled) return "cancelled";
  return "queued";  // queued, sending, deferred, quarantined: not sent yet
}

json::object recipient_json(const std::string& address, std::string_view state,
                            std::optional<SystemTime> at, const std::string& detail,
                            const std::string& provider) {
  json::object o;
  o["address"] = address;
  o["state"] = state;
  o["at"] = at ? json::value(format_rfc3339(*at)) : nullptr;
  o["detail"] = detail.empty() ? json::value(nullptr) : json::value(detail);
  o["provider"] = provider.empty() ? json::value(nullptr) : json::value(provider);
  return o;
}

// Each recipient of the envelope, with its provider's latest report or,
// without one, its send-time state; then any recipient a provider reported
// on that the envelope does not hold.
json::array recipients_json(const store::MessageDetail& d) {
  const auto& m = d.summary;
  json::array out;
  std::vector<bool> shown(d.recipient_states.size(), false);
  for (const auto& r : m.recipients) {
    auto reported =
        std::find_if(d.recipient_states.begin(), d.recipient_states.end(),
                     [&](const store::RecipientState& s) { return s.address == r.address; });
    if (reported != d.recipient_states.end()) {
      shown[static_cast<std::size_t>(reported - d.recipient_states.begin())] = true;
      out.emplace_back(recipient_json(r.address, reported->state, reported->at, reported->detail,
                                      reported->provider));
      continue;
    }
    auto state = send_time_state(m, r.address);
    bool sent = state == "sent" || state == "refused";
    out.emplace_back(recipient_json(r.address, state, std::nullopt, "", sent ? m.provider : ""));
  }
  for (std::size_t i = 0; i < shown.size(); ++i) {
    if (shown[i]) continue;
    const auto& s = d.recipient_states[i];
    out.emplace_back(recipient_json(s.address, s.state, s.at, s.detail, s.provider));
  }
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
  o["suppressed_recipients"] = string_array(m.suppressed_recipients);
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
    if (!e.failure_class.empty()) x["class"] = e.failure_class;
    if (!e.code.empty()) x["code"] = e.code;
    if (e.latency.count() > 0) x["latency_ms"] = static_cast<double>(e.latency.count()) / 1000.0;
    if (!e.detail.empty()) x["detail"] = e.detail;
    if (!e.recipient.empty()) x["recipient"] = e.recipient;
    events.emplace_back(std::move(x));
  }
  o["events"] = std::move(events);
  o["recipients"] = recipients_json(d);
  return o;
}

}  // namespace postern::http
