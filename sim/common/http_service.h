// One simulated provider API as a pure function: request in, answer out, no
// sockets. The host (service_host.h) adds faults, latency, counting and the
// listener around it, so the services stay testable without I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "net/http_message.h"
#include "sim/common/service_kind.h"

namespace postern::sim {

class FaultState;

// What a service may consult besides the request.
struct RequestContext {
  SystemTime now;
  const FaultState& faults;           // its reject patterns
  std::uint64_t accepted_so_far = 0;  // by this service (SES SendQuota)
};

// A message the service accepted: counted and kept by the host.
struct Accepted {
  std::string postern_id;               // "" when the request carried none
  std::string provider_message_id;      // as returned to the client
  std::vector<std::string> recipients;  // every envelope recipient, for the webhooks
};

struct ServiceAnswer {
  net::HttpResponse response;
  std::optional<Accepted> accepted;  // set only for an accepted send
};

class HttpService {
 public:
  virtual ~HttpService() = default;

  virtual Service kind() const = 0;

  // True for the provider's cheap health-probe endpoint (faults apply to
  // probes only when FaultSpec::probes is set).
  virtual bool is_probe(const net::HttpRequest& request) const = 0;

  // Checks auth and shape like the real API and answers with its success or
  // error body. Thread-safe: called on any I/O thread.
  virtual ServiceAnswer handle(const net::HttpRequest& request, const RequestContext& context) = 0;

  // The provider's own answers for injected faults.
  // As if the key had been revoked.
  virtual net::HttpResponse unauthorized(const net::HttpRequest& request) const = 0;
  // Rate limited; the provider's retry hint says `retry_after`.
  virtual net::HttpResponse throttled(const net::HttpRequest& request,
                                      std::chrono::seconds retry_after, SystemTime now) const = 0;
  // A server-side failure with this status (500..599 normally).
  virtual net::HttpResponse server_error(const net::HttpRequest& request, int status) const = 0;
};

}  // namespace postern::sim
