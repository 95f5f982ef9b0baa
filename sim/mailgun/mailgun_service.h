// Simulated Mailgun API (docs/providers.md, mailgun): POST /v3/{domain}/messages and
// /messages.mime (multipart/form-data, Basic auth api:KEY) and the domain
// probe GET /v3/domains/{domain}.
#pragma once

#include <string>
#include <vector>

#include "sim/common/http_service.h"
#include "sim/common/id_source.h"

namespace postern::sim {

struct MailgunSettings {
  std::string api_key = "key-sim";
  // Domains that exist; empty: every domain does.
  std::vector<std::string> domains;
};

class MailgunService final : public HttpService {
 public:
  MailgunService(MailgunSettings settings, std::uint64_t seed);

  // HttpService
  Service kind() const override { return Service::mailgun; }
  bool is_probe(const net::HttpRequest& request) const override;
  ServiceAnswer handle(const net::HttpRequest& request, const RequestContext& context) override;
  net::HttpResponse unauthorized(const net::HttpRequest& request) const override;
  net::HttpResponse throttled(const net::HttpRequest& request, std::chrono::seconds retry_after,
                              SystemTime now) const override;
  net::HttpResponse server_error(const net::HttpRequest& request, int status) const override;

 private:
  bool domain_exists(std::string_view domain) const;
  ServiceAnswer send(const net::HttpRequest& request, const std::string& domain, bool mime,
                     const RequestContext& context);

  MailgunSettings settings_;
  IdSource ids_;
};

}  // namespace postern::sim
