// Simulated Amazon SES v2 API (docs/providers.md, ses): SendEmail
// (POST /v2/email/outbound-emails) with a real SigV4 check, Raw or Simple
// content, rest-json errors (x-amzn-ErrorType + {"message"}), and the
// GetAccount probe (GET /v2/email/account).
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <vector>

#include "sim/common/http_service.h"
#include "sim/common/id_source.h"
#include "sim/ses/sigv4_check.h"

namespace postern::sim {

struct SesSettings {
  SesCredentials credentials;
  // Verified identities (addresses or domains); empty: every sender is.
  std::vector<std::string> verified;
  // GetAccount's SendQuota; large by default so benchmarks never look like
  // an exhausted quota.
  double max_24_hour_send = 1e9;
  double max_send_rate = 1e6;
};

class SesService final : public HttpService {
 public:
  SesService(SesSettings settings, std::uint64_t seed);

  // HttpService
  Service kind() const override { return Service::ses; }
  bool is_probe(const net::HttpRequest& request) const override;
  ServiceAnswer handle(const net::HttpRequest& request, const RequestContext& context) override;
  net::HttpResponse unauthorized(const net::HttpRequest& request) const override;
  net::HttpResponse throttled(const net::HttpRequest& request, std::chrono::seconds retry_after,
                              SystemTime now) const override;
  net::HttpResponse server_error(const net::HttpRequest& request, int status) const override;

 private:
  ServiceAnswer send(const net::HttpRequest& request);
  net::HttpResponse account(const RequestContext& context) const;
  bool verified(std::string_view address) const;

  SesSettings settings_;
  mutable IdSource ids_;
};

// The wire format: status, x-amzn-ErrorType and {"message": ...}.
net::HttpResponse ses_error(int status, std::string_view type, std::string_view message);

}  // namespace postern::sim
