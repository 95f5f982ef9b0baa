// Simulated Postmark Email API (docs/providers.md, postmark): POST /email with
// X-Postmark-Server-Token and JSON Accept/Content-Type, ErrorCode bodies,
// inactive recipients (ErrorCode 406) by pattern, and the GET /server probe.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>

#include "sim/common/http_service.h"
#include "sim/common/id_source.h"

namespace postern::sim {

struct PostmarkSettings {
  std::string server_token = "sim-server-token";
};

class PostmarkService final : public HttpService {
 public:
  PostmarkService(PostmarkSettings settings, std::uint64_t seed);

  // HttpService
  Service kind() const override { return Service::postmark; }
  bool is_probe(const net::HttpRequest& request) const override;
  ServiceAnswer handle(const net::HttpRequest& request, const RequestContext& context) override;
  net::HttpResponse unauthorized(const net::HttpRequest& request) const override;
  net::HttpResponse throttled(const net::HttpRequest& request, std::chrono::seconds retry_after,
                              SystemTime now) const override;
  net::HttpResponse server_error(const net::HttpRequest& request, int status) const override;

 private:
  ServiceAnswer send(const net::HttpRequest& request, const RequestContext& context);

  PostmarkSettings settings_;
  IdSource ids_;
};

// {"ErrorCode": code, "Message": message} with the HTTP status.
net::HttpResponse postmark_error(int status, int error_code, std::string_view message);

// "2014-02-17T07:25:01.4178645+00:00": SubmittedAt as Postmark writes it
// (seven fractional digits and a numeric offset), in UTC.
std::string postmark_timestamp(SystemTime t);

}  // namespace postern::sim
