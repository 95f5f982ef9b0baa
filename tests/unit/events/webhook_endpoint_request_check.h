// The invariants of parse_webhook_endpoint_request on any input, shared by
// the fuzz target (tests/fuzz/webhook_endpoint_request_fuzz.cpp) and the
// randomized unit test: an accepted body has an http(s) URL and known,
// distinct event types; a refused one names a field.
#pragma once

#include <set>
#include <string_view>

#include "events/webhook_endpoint_request.h"
#include "events/webhook_event_types.h"

namespace postern::test {

template <class Check>
void check_webhook_endpoint_request(std::string_view body, Check check) {
  auto r = events::parse_webhook_endpoint_request(body);
  if (!r) {
    check(!r.error().field.empty(), "a refusal names a field");
    check(!r.error().code.empty() && !r.error().message.empty(), "a refusal says why");
    return;
  }
  check(r->url.starts_with("http://") || r->url.starts_with("https://"), "url is http(s)");
  check(r->url.size() <= 2048, "url is at most 2048 bytes");
  std::set<std::string> seen;
  for (const auto& t : r->events) {
    check(events::is_webhook_event_type(t), "every event type is known");
    check(seen.insert(t).second, "no event type twice");
  }
}

}  // namespace postern::test
