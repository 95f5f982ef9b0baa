// Reading and steering stored messages: GET one (with its timeline), list
// with filters and cursor pagination, the raw RFC 5322 form, cancel, retry.
#include <algorithm>
#include <boost/json/array.hpp>

#include "core/address.h"
#include "core/time_format.h"
#include "http/handlers.h"
#include "http/message_view.h"
#include "http/query.h"
#include "http/reading_json.h"
#include "http/responses.h"
#include "mime/outbound.h"
#include "mime/reading_view.h"
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

// The parameters GET /v1/messages takes: any other is refused, so that a
// misspelt filter does not list every message as if it matched.
constexpr std::string_view kListParams[] = {"status",    "since", "until", "provider",
                                            "recipient", "tag",   "limit", "cursor"};

// Longer than any provider name, tag or address the gateway takes.
constexpr std::size_t kMaxFilterLength = 998;

net::HttpResponse invalid(std::string_view field, std::string message) {
  return error_response(400, "invalid_value", message, field);
}

// A text filter: one line, 1 to kMaxFilterLength bytes.
std::optional<net::HttpResponse> text_filter(const QueryParams& q, std::string_view name,
                                             std::optional<std::string>& slot) {
  auto v = q.get(name);
  if (!v) return std::nullopt;
  if (v->empty() || v->size() > kMaxFilterLength || v->find_first_of("\r\n") != std::string::npos)
    return invalid(name, std::string(name) + " must be 1 to " + std::to_string(kMaxFilterLength) +
                             " characters on one line");
  slot = std::move(*v);
  return std::nullopt;
}

// Fills a list filter from the query, or answers why it cannot.
std::optional<net::HttpResponse> list_filter(const QueryParams& q, store::ListFilter& f) {
  for (std::size_t i = 0; i < q.all().size(); ++i) {
    const auto& key = q.all()[i].first;
    if (std::find(std::begin(kListParams), std::end(kListParams), key) == std::end(kListParams))
      return error_response(400, "unknown_parameter", "no filter is called '" + key + "'", key);
    for (std::size_t j = 0; j < i; ++j) {
      if (q.all()[j].first == key) return invalid(key, key + " is given more than once");
    }
  }
  if (auto v = q.get("status")) {
    f.status = parse_message_status(*v);
    if (!f.status) {
      return invalid(
          "status",
          "status must be one of queued, sending, sent, deferred, failed, cancelled, quarantined");
    }
  }
  for (auto [name, slot] : {std::pair{"since", &f.since}, std::pair{"until", &f.until}}) {
    if (auto v = q.get(name)) {
      *slot = parse_time(*v);
      if (!*slot)
        return invalid(name, std::string(name) + " must be an RFC 3339 time or Unix seconds");
    }
  }
  if (f.since && f.until && *f.until <= *f.since)
    return invalid("until", "until must be after since");
  for (auto [name, slot] : {std::pair{"provider", &f.provider},
                            std::pair{"recipient", &f.recipient}, std::pair{"tag", &f.tag}}) {
    if (auto bad = text_filter(q, name, *slot)) return bad;
  }
  if (f.recipient) {
    if (auto valid = validate_address(*f.recipient); !valid)
      return invalid("recipient", "recipient must be an email address: " + valid.error().reason);
  }
  auto limit = page_limit(q, kDefaultPage, kMaxPage);
  if (!limit) return field_error_response(400, limit.error());
  f.limit = *limit;
  if (auto v = q.get("cursor")) {
    f.before = MessageId::parse(*v);
    if (!f.before) return invalid("cursor", "cursor is not one this API gave out");
  }
  return std::nullopt;
}

// The message's bytes as it is sent (mime/outbound.h), or the answer why
// not has been given.
std::optional<std::pair<MessageId, std::string>> message_bytes(ApiServices& s, Call& call,
                                                               net::Responder& respond) {
  auto id = message_id(call, respond);
  if (!id) return std::nullopt;
  auto detail = s.store.get_message(*id);
  if (!detail) {
    respond(store_error_response(detail.error()));
    return std::nullopt;
  }
  auto content = s.store.get_content(*id);
  if (!content) {
    respond(store_error_response(content.error()));
    return std::nullopt;
  }
  const auto& m = detail->summary;
  auto bytes = mime::render_stored(content->first, content->second, m.id.to_string(), m.created_at);
  if (!bytes) {
    respond(error_response(500, "corrupt", "the stored message cannot be decoded"));
    return std::nullopt;
  }
  return std::pair{*id, std::move(*bytes)};
}

std::string message_base(MessageId id) { return "/v1/messages/" + id.to_string(); }

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
  auto bytes = message_bytes(s, call, respond);
  if (!bytes) return;
  net::HttpResponse r;
  r.content_type = "message/rfc822";
  r.body = std::move(bytes->second);
  respond(std::move(r));
}

void get_message_content(ApiServices& s, Call& call, net::Responder respond) {
  auto bytes = message_bytes(s, call, respond);
  if (!bytes) return;
  auto out = reading_json(mime::read_view(bytes->second), message_base(bytes->first));
  out["id"] = bytes->first.to_string();
  respond(json_response(200, out));
}

void get_message_html(ApiServices& s, Call& call, net::Responder respond) {
  auto remote = remote_param(call.request.query);
  if (!remote) return respond(field_error_response(400, remote.error()));
  auto bytes = message_bytes(s, call, respond);
  if (!bytes) return;
  respond(html_response(bytes->second, message_base(bytes->first), *remote, "id"));
}

void get_message_attachment(ApiServices& s, Call& call, net::Responder respond) {
  auto bytes = message_bytes(s, call, respond);
  if (!bytes) return;
  respond(attachment_response(bytes->second, std::string(call.param("part"))));
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
