// Reading and steering stored messages: GET one (with its timeline), list
// with filters and cursor pagination, the raw RFC 5322 form, cancel, retry.
#include <boost/json/array.hpp>

#include "core/time_format.h"
#include "http/handlers.h"
#include "http/message_view.h"
#include "http/query.h"
#include "http/responses.h"
#include "mime/outbound.h"
#include "stats/live_feed.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 500;

std::optional<MessageId> message_id(Call& call, net::Responder& respond) {
  auto id = MessageId::parse(call.param("id"));
  if (!id)
    respond(error_response(404, "not_found",
                           "no message has the id '" + std::string(call.param("id")) + "'", "id"));
  return id;
}

// Fills a list filter from the query, or answers why it cannot.
std::optional<net::HttpResponse> list_filter(const QueryParams& q, store::ListFilter& f) {
  if (auto v = q.get("status")) {
    f.status = parse_message_status(*v);
    if (!f.status) {
      return error_response(
          400, "invalid_value",
          "status must be one of queued, sending, sent, deferred, failed, cancelled, quarantined",
          "status");
    }
  }
  for (auto [name, slot] : {std::pair{"since", &f.since}, std::pair{"until", &f.until}}) {
    if (auto v = q.get(name)) {
      *slot = parse_time(*v);
      if (!*slot) {
        return error_response(400, "invalid_value",
                              std::string(name) + " must be an RFC 3339 time or Unix seconds",
                              name);
      }
    }
  }
  auto limit = page_limit(q, kDefaultPage, kMaxPage);
  if (!limit) return field_error_response(400, limit.error());
  f.limit = *limit;
  if (auto v = q.get("cursor")) {
    f.before = MessageId::parse(*v);
    if (!f.before)
      return error_response(400, "invalid_value", "cursor is not one this API gave out", "cursor");
  }
  return std::nullopt;
}

// cancel and retry share their shape: a store write, then the new status.
template <class Start>
void change_status(ApiServices& s, Call& call, net::Responder respond, Start start,
                   std::string_view refused) {
  auto id = message_id(call, respond);
  if (!id) return;
  std::string why(refused);
  auto* wake = &s.wake_dispatcher;
  auto* live = s.live;
  start(*id, [id = *id, respond, why, wake, live](Result<MessageStatus> r) {
    if (!r) {
      if (r.error() == Errc::conflict) return respond(error_response(409, "invalid_state", why));
      return respond(store_error_response(r.error()));
    }
    if (*r == MessageStatus::queued && *wake) (*wake)();
    if (live) live->message_changed(id, *r);
    respond(json_response(200, json::object{{"id", id.to_string()}, {"status", to_string(*r)}}));
  });
}

}  // namespace

void get_message(ApiServices& s, Call& call, net::Responder respond) {
  auto id = message_id(call, respond);
  if (!id) return;
  auto d = s.store.get_message(*id);
  if (!d) return respond(store_error_response(d.error()));
  respond(json_response(200, message_detail_json(*d)));
}

void list_messages(ApiServices& s, Call& call, net::Responder respond) {
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  store::ListFilter f;
  if (auto bad = list_filter(*q, f)) return respond(std::move(*bad));
  auto page = s.store.list_messages(f);
  if (!page) return respond(store_error_response(page.error()));
  json::array data;
  for (const auto& m : *page) data.emplace_back(message_summary_json(m));
  json::value next = nullptr;
  if (page->size() == f.limit) next = page->back().id.to_string();
  respond(json_response(200,
                        json::object{{"data", std::move(data)}, {"next_cursor", std::move(next)}}));
}

void get_raw_message(ApiServices& s, Call& call, net::Responder respond) {
  auto id = message_id(call, respond);
  if (!id) return;
  auto detail = s.store.get_message(*id);
  if (!detail) return respond(store_error_response(detail.error()));
  auto content = s.store.get_content(*id);
  if (!content) return respond(store_error_response(content.error()));
  const auto& m = detail->summary;
  auto bytes = mime::render_stored(content->first, content->second, m.id.to_string(), m.created_at);
  if (!bytes)
    return respond(error_response(500, "corrupt", "the stored message cannot be decoded"));
  net::HttpResponse r;
  r.content_type = "message/rfc822";
  r.body = std::move(*bytes);
  respond(std::move(r));
}

void cancel_message(ApiServices& s, Call& call, net::Responder respond) {
  change_status(
      s, call, std::move(respond),
      [&s](MessageId id, auto done) { s.store.cancel(id, std::move(done)); },
      "only queued, deferred or quarantined messages can be cancelled");
}

void retry_message(ApiServices& s, Call& call, net::Responder respond) {
  change_status(
      s, call, std::move(respond),
      [&s](MessageId id, auto done) { s.store.retry(id, std::move(done)); },
      "only failed, deferred, cancelled or quarantined messages, or sent ones with refused "
      "recipients, can be retried");
}

}  // namespace postern::http
