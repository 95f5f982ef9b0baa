// Operational endpoints: liveness, readiness, Prometheus metrics, the
// OpenAPI document; the web UI's pages (/ and /docs, Swagger UI).
#include <array>

#include "http/accept_encoding.h"
#include "http/handlers.h"
#include "http/openapi.h"
#include "http/request_headers.h"
#include "http/responses.h"
#include "http/ui_files.h"

namespace postern::http {

void healthz(ApiServices&, Call&, net::Responder respond) {
  net::HttpResponse r;
  r.body = R"({"status":"ok"})";
  respond(std::move(r));
}

void readyz(ApiServices& s, Call&, net::Responder respond) {
  if (s.ready && !s.ready()) {
    auto r =
        error_response(503, "not_ready", "the store is not writable or the node is shutting down");
    r.headers.emplace_back("Retry-After", "1");
    return respond(std::move(r));
  }
  net::HttpResponse r;
  r.body = R"({"status":"ready"})";
  respond(std::move(r));
}

void metrics(ApiServices& s, Call&, net::Responder respond) {
  net::HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = s.metrics.render();
  respond(std::move(r));
}

// 110 KB of JSON, 21 KB compressed, which /docs fetches on each load.
void openapi_json(ApiServices&, Call& call, net::Responder respond) {
  static constexpr std::array<std::string_view, 1> kGzip{"gzip"};
  net::HttpResponse r;
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (choose_content_coding(find_header(call.request, "Accept-Encoding"), kGzip) == "gzip") {
    r.body = std::string(openapi_document_gzip());
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = std::string(openapi_document());
  }
  respond(std::move(r));
}

void ui_page(ApiServices& s, Call& call, net::Responder respond) {
  respond(*s.ui->response(call.request));
}

}  // namespace postern::http
