// GET /v1/test-accounts/{user}/messages: the newest messages of a test
// account's INBOX, a page at a time (docs/inbox.md "How mail is caught").
// A minimal listing so that caught mail can be seen over HTTP; reading,
// searching and deleting messages belong to the read API.
#include <boost/json/array.hpp>

#include "core/decimal.h"
#include "core/time_format.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"
#include "inbox/accounts.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 500;

json::object entry_json(const store::EntryWithSummary& e) {
  const auto& s = e.summary;
  return json::object{
      {"uid", e.entry.uid},
      {"from", s.from},
      {"to", s.to},
      {"subject", s.subject},
      {"date", s.date ? json::value(format_rfc3339(*s.date)) : json::value(nullptr)},
      {"received_at", format_rfc3339(e.entry.internal_date)},
      {"size", e.entry.size},
      {"seen", e.entry.flags.has(store::SystemFlag::seen)},
  };
}

}  // namespace

void list_test_account_messages(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.accounts || !s.inbox)
    return respond(
        error_response(503, "unavailable", "the test inbox is not running on this node"));
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto limit = page_limit(*q, kDefaultPage, kMaxPage);
  if (!limit) return respond(field_error_response(400, limit.error()));
  store::InboxQuery query;
  query.limit = *limit;
  if (auto cursor = q->get("cursor")) {
    auto uid = parse_decimal<std::uint32_t>(*cursor);
    if (!uid || *uid == 0)
      return respond(
          error_response(400, "invalid_value", "cursor is not one this API gave out", "cursor"));
    query.before_uid = *uid;
  }
  std::string user(call.param("user"));
  auto account = s.accounts->get(user);
  if (!account) {
    if (account.error() == Errc::not_found) {
      return respond(
          error_response(404, "not_found", "no test account named '" + user + "'", "user"));
    }
    return respond(store_error_response(account.error()));
  }
  auto mailbox = s.inbox->mailbox(account->id, "INBOX");
  if (!mailbox) return respond(store_error_response(mailbox.error()));
  auto page = s.inbox->search(mailbox->id, query);
  if (!page) return respond(store_error_response(page.error()));
  json::array data;
  for (const auto& e : *page) data.emplace_back(entry_json(e));
  json::value next = nullptr;
  if (page->size() == *limit) next = std::to_string(page->back().entry.uid);
  respond(json_response(200,
                        json::object{{"data", std::move(data)}, {"next_cursor", std::move(next)}}));
}

}  // namespace postern::http
