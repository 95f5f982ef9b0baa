// Helpers for the simulator's unit tests: requests built in one line and
// JSON bodies read back.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <initializer_list>
#include <string>
#include <utility>

#include "net/http_message.h"
#include "sim/common/fault_state.h"
#include "sim/common/http_service.h"
#include "support/http_request.h"

namespace postern::sim::testing {

inline net::HttpRequest request(std::string method, std::string target,
                                net::HttpHeaders headers = {}, std::string body = "") {
  return test::http_request(std::move(method), std::move(target), std::move(headers),
                            std::move(body));
}

inline boost::json::object json_of(const net::HttpResponse& r) {
  return boost::json::parse(r.body).as_object();
}

inline std::string header_of(const net::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// 2026-11-23 12:00:00 UTC, a fixed "now".
inline SystemTime fixed_now() { return SystemTime(std::chrono::seconds(1795435200)); }

// A context with no faults and no reject patterns.
struct Context {
  FaultState faults{FaultSpec{}, 1};
  RequestContext get(std::uint64_t accepted = 0) {
    return RequestContext{fixed_now(), faults, accepted};
  }
};

}  // namespace postern::sim::testing
