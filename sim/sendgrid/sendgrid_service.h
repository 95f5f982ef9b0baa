// Simulated SendGrid v3 API (docs/providers.md, sendgrid): POST /v3/mail/send (JSON,
// Bearer key) validated like the real service, the scopes probe
// GET /v3/scopes, and the X-RateLimit-* headers on every answer.
#pragma once

#include <atomic>
#include <boost/json/fwd.hpp>
#include <string>

#include "sim/common/http_service.h"
#include "sim/common/id_source.h"

namespace postern::sim {

struct SendGridSettings {
  std::string api_key = "SG.sim-key";
  // What X-RateLimit-Limit announces per one-second window. No request is
  // refused for it: 429s come from the throttle fault.
  std::uint64_t rate_limit = 10000;
};

class SendGridService final : public HttpService {
 public:
  SendGridService(SendGridSettings settings, std::uint64_t seed);

  // HttpService
  Service kind() const override { return Service::sendgrid; }
  bool is_probe(const net::HttpRequest& request) const override;
  ServiceAnswer handle(const net::HttpRequest& request, const RequestContext& context) override;
  net::HttpResponse unauthorized(const net::HttpRequest& request) const override;
  net::HttpResponse throttled(const net::HttpRequest& request, std::chrono::seconds retry_after,
                              SystemTime now) const override;
  net::HttpResponse server_error(const net::HttpRequest& request, int status) const override;

 private:
  ServiceAnswer send(const net::HttpRequest& request);
  // On every answer (the window counters are mutable: they only feed
  // header values).
  void add_rate_headers(net::HttpResponse& response, SystemTime now) const;

  SendGridSettings settings_;
  IdSource ids_;
  mutable std::atomic<long long> window_{0};    // the current one-second window (Unix seconds)
  mutable std::atomic<std::uint64_t> used_{0};  // requests in it
};

// The validation of a mail/send body (SendGrid's rules and error shape): the
// {"errors": [...]} entries, empty when the body is valid. Exposed for tests.
boost::json::array sendgrid_validate(const boost::json::object& body);

}  // namespace postern::sim
