#include "http/sync_send.h"

#include <boost/json/serialize.hpp>

#include "core/decimal.h"
#include "core/header_value.h"
#include "http/responses.h"

namespace postern::http {
namespace json = boost::json;
namespace {

// "respond-async, wait=10" -> "10"
std::string_view prefer_wait(std::string_view prefer) {
  for (auto token : list_items(prefer, ',')) {
    if (token.starts_with("wait=")) return token.substr(5);
  }
  return {};
}

}  // namespace

std::optional<std::chrono::seconds> requested_wait(const net::HttpRequest& request,
                                                   const QueryParams& query,
                                                   std::chrono::seconds max_wait) {
  std::string text;
  if (auto q = query.get("wait")) {
    text = *q;
  } else {
    text = std::string(prefer_wait(request.header("Prefer")));
  }
  if (text.empty()) return std::chrono::seconds(0);
  auto v = parse_decimal<std::int64_t>(text);
  if (!v) return std::nullopt;
  return std::min(std::chrono::seconds(*v), max_wait);
}

net::HttpResponse outcome_response(const MessageId& id, bool replayed,
                                   const std::optional<delivery::Outcome>& outcome) {
  json::object body{{"id", id.to_string()}};
  net::HttpResponse r;
  if (!outcome) {
    // Still on its way: the caller gets the async answer.
    body["status"] = "pending";
    r.status = 202;
  } else {
    body["status"] = to_string(outcome->status);
    body["provider"] =
        outcome->provider.empty() ? json::value(nullptr) : json::value(outcome->provider);
    if (outcome->status == MessageStatus::sent) {
      body["provider_message_id"] = outcome->provider_message_id;
      r.status = 200;
    } else {
      body["reason"] = outcome->detail;
      body["error"] = json::object{{"code", "delivery_" + std::string(to_string(outcome->status))},
                                   {"message", outcome->detail},
                                   {"field", nullptr}};
      r.status = 502;
    }
  }
  r.body = json::serialize(body);
  r.headers.emplace_back("Location", "/v1/messages/" + id.to_string());
  if (replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

void wait_for_outcome(delivery::OutcomeWaiters& waiters, store::Store& store,
                      const store::EnqueueResult& accepted, std::chrono::seconds wait,
                      net::Responder respond) {
  auto id = accepted.id;
  bool replayed = accepted.replayed;
  auto answer = [id, replayed, respond](std::optional<delivery::Outcome> outcome) {
    respond(outcome_response(id, replayed, outcome));
  };
  if (replayed && is_final(accepted.status)) {
    auto stored = store.get_message(id);
    if (stored) {
      const auto& m = stored->summary;
      return answer(
          delivery::Outcome{m.status, m.provider, m.provider_message_id, "", "", m.last_error});
    }
  }
  waiters.wait(id, std::chrono::steady_clock::now() + wait, std::move(answer));
}

}  // namespace postern::http
