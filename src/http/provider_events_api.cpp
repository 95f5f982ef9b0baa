// GET /v1/provider-events/unmatched: the provider reports that matched no
// message (docs/events.md "Storage"), newest first, a page at a time. They
// change nothing; an operator reads them to find a misconfigured provider
// (a webhook pointed at the wrong node, a send call's id not recorded).
#include <boost/json/array.hpp>

#include "core/decimal.h"
#include "core/time_format.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"
#include "store/event_store.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 500;

json::value text_or_null(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object stored_event_json(const store::StoredProviderEvent& s) {
  const auto& e = s.event;
  return json::object{
      {"id", std::to_string(s.id)},
      {"provider", e.provider},
      {"type", events::to_str(e.type)},
      {"recipient", e.recipient},
      {"at", format_rfc3339(e.at)},
      {"detail", text_or_null(e.detail)},
      {"provider_message_id", text_or_null(e.provider_message_id)},
      {"postern_id", text_or_null(e.postern_id)},
      {"received_at", format_rfc3339(s.received_at)},
  };
}

}  // namespace

void list_unmatched_events(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.events)
    return respond(error_response(503, "unavailable", "provider events are not kept on this node"));
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto limit = page_limit(*q, kDefaultPage, kMaxPage);
  if (!limit) return respond(field_error_response(400, limit.error()));
  std::int64_t before = 0;
  if (auto v = q->get("cursor")) {
    auto parsed = parse_decimal<std::int64_t>(*v);
    if (!parsed || *parsed <= 0)
      return respond(
          error_response(400, "invalid_value", "cursor is not one this API gave out", "cursor"));
    before = *parsed;
  }
  auto page = s.events->unmatched_events(before, *limit);
  if (!page) return respond(store_error_response(page.error()));
  json::array data;
  for (const auto& e : *page) data.emplace_back(stored_event_json(e));
  json::value next = nullptr;
  if (page->size() == *limit) next = std::to_string(page->back().id);
  respond(json_response(200,
                        json::object{{"data", std::move(data)}, {"next_cursor", std::move(next)}}));
}

}  // namespace postern::http
