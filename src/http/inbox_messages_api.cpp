// GET /v1/test-accounts/{user}/messages: a test account's INBOX, newest
// first, searched and a page at a time (docs/inbox.md "Reading over HTTP").
// Reading one message is inbox_reading_api.cpp; deleting and marking,
// inbox_changes_api.cpp.
#include <boost/json/array.hpp>

#include "core/decimal.h"
#include "core/time_format.h"
#include "http/handlers.h"
#include "http/inbox_access.h"
#include "http/query.h"
#include "http/responses.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 500;
// A search term longer than this is a mistake, not a search.
constexpr std::size_t kMaxTerm = 1000;

json::object entry_json(const std::string& user, const store::EntryWithSummary& e) {
  const auto& s = e.summary;
  return json::object{
      {"uid", e.entry.uid},
      {"from", s.from},
      {"to", s.to},
      {"cc", s.cc},
      {"subject", s.subject},
      {"date", s.date ? json::value(format_rfc3339(*s.date)) : json::value(nullptr)},
      {"received_at", format_rfc3339(e.entry.internal_date)},
      {"size", e.entry.size},
      {"seen", e.entry.flags.has(store::SystemFlag::seen)},
      {"has_attachments", s.has_attachments},
      {"url", message_path(user, e.entry.uid)},
  };
}

net::HttpResponse bad_value(std::string_view field, std::string_view why) {
  return error_response(400, "invalid_value", std::string(field) + " " + std::string(why), field);
}

// Fills the search from the query, or answers why it cannot.
std::optional<net::HttpResponse> search_query(const QueryParams& q, store::InboxQuery& query) {
  for (auto [name, slot] : {std::pair{"from", &query.from}, std::pair{"to", &query.to},
                            std::pair{"subject", &query.subject}, std::pair{"text", &query.text}}) {
    if (auto v = q.get(name)) {
      if (v->size() > kMaxTerm) return bad_value(name, "is longer than 1000 bytes");
      *slot = std::move(*v);
    }
  }
  for (auto [name, slot] : {std::pair{"since", &query.since}, std::pair{"until", &query.until}}) {
    if (auto v = q.get(name)) {
      *slot = parse_time(*v);
      if (!*slot) return bad_value(name, "is not an RFC 3339 time or Unix seconds");
    }
  }
  if (auto v = q.get("seen")) {
    if (*v == "true") {
      query.seen = true;
    } else if (*v == "false") {
      query.seen = false;
    } else {
      return bad_value("seen", "is true or false");
    }
  }
  if (auto cursor = q.get("cursor")) {
    auto uid = parse_decimal<std::uint32_t>(*cursor);
    if (!uid || *uid == 0) return bad_value("cursor", "is not one this API gave out");
    query.before_uid = *uid;
  }
  return std::nullopt;
}

}  // namespace

void list_test_account_messages(ApiServices& s, Call& call, net::Responder respond) {
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto limit = page_limit(*q, kDefaultPage, kMaxPage);
  if (!limit) return respond(field_error_response(400, limit.error()));
  store::InboxQuery query;
  query.limit = *limit;
  if (auto error = search_query(*q, query)) return respond(std::move(*error));
  auto box = open_inbox(s, call, respond);
  if (!box) return;
  auto page = s.inbox->search(box->inbox.id, query);
  if (!page) return respond(store_error_response(page.error()));
  json::array data;
  for (const auto& e : *page) data.emplace_back(entry_json(box->account.user, e));
  json::value next = nullptr;
  if (page->size() == *limit) next = std::to_string(page->back().entry.uid);
  respond(json_response(200,
                        json::object{{"data", std::move(data)}, {"next_cursor", std::move(next)}}));
}

}  // namespace postern::http
