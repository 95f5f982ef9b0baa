// The suppression list over HTTP (docs/events.md, "Suppression list"):
// list (JSON pages, or the whole list as CSV), add one, many or a CSV
// import, look up and remove one. Reads need the read scope, changes
// admin. The list is the EventStore's, through the server's in-memory
// cache (delivery/suppression_cache.h), so intake sees a change at once.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <mutex>
#include <optional>

#include "core/header_value.h"
#include "core/percent.h"
#include "core/time_format.h"
#include "events/suppression_csv.h"
#include "events/suppression_entry.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;
// Entries per store write of an import: one group-commit transaction each,
// so a large import does not hold the writer for long at a time.
constexpr std::size_t kWriteBatch = 1000;

net::HttpResponse unavailable() {
  auto r = error_response(503, "unavailable", "the suppression list is not available");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

json::object entry_json(const store::Suppression& e) {
  return json::object{
      {"address", e.address},
      {"reason", e.reason},
      {"provider", e.provider.empty() ? json::value(nullptr) : json::value(e.provider)},
      {"message_id", e.message ? json::value(e.message->to_string()) : json::value(nullptr)},
      {"detail", e.detail},
      {"created_at", format_rfc3339(e.created_at)}};
}

bool wants_csv(const net::HttpRequest& req) {
  return req.header("Accept").find("text/csv") != std::string_view::npos;
}

// The whole list as CSV, read in pages.
void respond_csv(store::EventStore& list, net::Responder& respond) {
  net::HttpResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"suppressions.csv\"");
  r.body = events::suppression_csv_header();
  std::string after;
  for (;;) {
    auto page = list.list_suppressions(after, kMaxPage);
    if (!page) return respond(store_error_response(page.error()));
    for (const auto& e : *page) r.body += events::suppression_csv_line(e);
    if (page->size() < kMaxPage) break;
    after = store::suppression_key(page->back().address);
  }
  respond(std::move(r));
}

// The {address} of the path, percent-decoded and checked; or the answer.
std::optional<std::string> path_address(Call& call, net::Responder& respond) {
  auto decoded = percent_decode(call.param("address"));
  if (!decoded) {
    respond(error_response(400, "invalid_value", "the address is not validly percent-encoded",
                           "address"));
    return std::nullopt;
  }
  store::Suppression probe{*decoded};
  if (auto bad = events::check_suppression(probe); !bad) {
    respond(field_error_response(422, bad.error()));
    return std::nullopt;
  }
  return std::move(*decoded);
}

// One entry of a JSON body: {address, reason?, provider?, detail?}.
Result<store::Suppression, FieldError> entry_from_json(const json::value& v, const std::string& at,
                                                       SystemTime now) {
  auto field = [&](std::string_view name) {
    return at.empty() ? std::string(name) : at + "." + std::string(name);
  };
  if (!v.is_object())
    return FieldError{"invalid_type", "an entry must be an object with an address",
                      at.empty() ? "body" : at};
  store::Suppression e;
  e.created_at = now;
  for (const auto& [key, value] : v.get_object()) {
    std::string* slot = key == "address"    ? &e.address
                        : key == "reason"   ? &e.reason
                        : key == "provider" ? &e.provider
                        : key == "detail"   ? &e.detail
                                            : nullptr;
    if (!slot)
      return FieldError{"unknown_field",
                        "unknown field; an entry has address, reason, provider and detail",
                        field(key)};
    if (!value.is_string())
      return FieldError{"invalid_type", std::string(key) + " must be a string", field(key)};
    *slot = value.get_string();
  }
  if (auto bad = events::check_suppression(e); !bad) {
    auto error = bad.error();
    error.field = field(error.field);
    return error;
  }
  return e;
}

// The entries of a JSON body: one object, or an array of them.
Result<std::vector<store::Suppression>, FieldError> entries_from_json(std::string_view body,
                                                                      SystemTime now) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec)
    return FieldError{"invalid_json", "the body must be a JSON object or an array of them", "body"};
  std::vector<store::Suppression> out;
  if (!doc.is_array()) {
    auto e = entry_from_json(doc, "", now);
    if (!e) return e.error();
    out.push_back(std::move(*e));
    return out;
  }
  const auto& items = doc.get_array();
  if (items.empty()) return FieldError{"invalid_value", "the array has no entry", "body"};
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto e = entry_from_json(items[i], "[" + std::to_string(i) + "]", now);
    if (!e) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::vector<store::Suppression>, FieldError> entries_from_csv(std::string_view body,
                                                                     SystemTime now) {
  events::SuppressionCsvReader reader(now);
  auto read = reader.feed(body);
  if (read) read = reader.finish();
  if (!read) return read.error();
  if (reader.entries().empty()) return FieldError{"invalid_value", "the CSV has no entry", "body"};
  return std::move(reader.entries());
}

// Adds the entries a batch at a time, all batches queued at once (a
// completion runs on the store's writer, which must not be asked for the
// next write from there), then answers how many were new.
void import_entries(store::EventStore& list, std::vector<store::Suppression> entries,
                    net::Responder respond) {
  struct Progress {
    std::mutex mu;
    std::size_t batches_left = 0;
    std::size_t added = 0;
    std::size_t total = 0;
    std::optional<error_code> failed;
  };
  auto progress = std::make_shared<Progress>();
  progress->total = entries.size();
  std::vector<std::vector<store::Suppression>> batches;
  for (std::size_t at = 0; at < entries.size(); at += kWriteBatch) {
    auto end = std::min(entries.size(), at + kWriteBatch);
    batches.emplace_back(
        std::make_move_iterator(entries.begin() + static_cast<std::ptrdiff_t>(at)),
        std::make_move_iterator(entries.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  progress->batches_left = batches.size();
  for (auto& batch : batches) {
    list.add_suppressions(std::move(batch), [progress, respond](Result<std::size_t> r) {
      std::unique_lock lock(progress->mu);
      if (r) {
        progress->added += *r;
      } else if (!progress->failed) {
        progress->failed = r.error();
      }
      if (--progress->batches_left > 0) return;
      lock.unlock();
      if (progress->failed) return respond(store_error_response(*progress->failed));
      auto added = progress->added;
      respond(
          json_response(added > 0 ? 201 : 200,
                        json::object{{"added", added}, {"unchanged", progress->total - added}}));
    });
  }
}

// A page of the entries whose key starts with `prefix` ("": all), after
// `after`. Keys are in order, so those with a prefix are one run: it
// starts at the prefix itself (an address equal to it comes first) and
// ends at the first key without it.
Result<std::vector<store::Suppression>> prefixed_page(store::EventStore& list,
                                                      const std::string& prefix, std::string after,
                                                      std::size_t limit) {
  std::vector<store::Suppression> out;
  if (!prefix.empty() && after < prefix) {
    auto exact = list.suppression(prefix);
    if (!exact) return exact.error();
    if (*exact) out.push_back(std::move(**exact));
    after = prefix;
  }
  if (out.size() == limit) return out;
  auto page = list.list_suppressions(after, limit - out.size());
  if (!page) return page.error();
  for (auto& e : *page) {
    if (!store::suppression_key(e.address).starts_with(prefix)) break;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

void list_suppressions(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.events) return respond(unavailable());
  if (wants_csv(call.request)) return respond_csv(*s.events, respond);
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto limit = page_limit(*q, kDefaultPage, kMaxPage);
  if (!limit) return respond(field_error_response(400, limit.error()));
  std::string after(q->get("after").value_or(""));
  auto prefix = store::suppression_key(q->get("prefix").value_or(""));
  auto page = prefixed_page(*s.events, prefix, after, *limit);
  if (!page) return respond(store_error_response(page.error()));
  json::array data;
  for (const auto& e : *page) data.emplace_back(entry_json(e));
  json::value next = nullptr;
  if (page->size() == *limit && !page->empty())
    next = json::value(store::suppression_key(page->back().address));
  respond(json_response(200, json::object{{"data", std::move(data)}, {"next_after", next}}));
}

void export_suppressions(ApiServices& s, Call&, net::Responder respond) {
  if (!s.events) return respond(unavailable());
  respond_csv(*s.events, respond);
}

void add_suppressions(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.events) return respond(unavailable());
  auto type = media_type(call.request.header("Content-Type"));
  Result<std::vector<store::Suppression>, FieldError> entries = FieldError{};
  if (type == "text/csv") {
    entries = entries_from_csv(call.request.body, s.clock.now());
  } else if (type.empty() || type == "application/json") {
    entries = entries_from_json(call.request.body, s.clock.now());
  } else {
    return respond(error_response(415, "unsupported_media_type",
                                  "send application/json or text/csv, not '" + type + "'",
                                  "Content-Type"));
  }
  if (!entries) {
    const auto& e = entries.error();
    return respond(field_error_response(e.code == "invalid_json" ? 400 : 422, e));
  }
  import_entries(*s.events, std::move(*entries), std::move(respond));
}

void get_suppression(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.events) return respond(unavailable());
  auto address = path_address(call, respond);
  if (!address) return;
  auto found = s.events->suppression(*address);
  if (!found) return respond(store_error_response(found.error()));
  if (!*found) {
    return respond(error_response(404, "not_found",
                                  "'" + *address + "' is not on the suppression list", "address"));
  }
  respond(json_response(200, entry_json(**found)));
}

void delete_suppression(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.events) return respond(unavailable());
  auto address = path_address(call, respond);
  if (!address) return;
  s.events->remove_suppression(*address, [respond, address = *address](Result<bool> r) {
    if (!r) return respond(store_error_response(r.error()));
    if (!*r) {
      return respond(error_response(404, "not_found",
                                    "'" + address + "' is not on the suppression list", "address"));
    }
    respond(no_content_response());
  });
}

}  // namespace postern::http
