// Operational endpoints: liveness, readiness, Prometheus metrics, the
// OpenAPI document; the web UI's pages (/ and /docs, Swagger UI).
#include "http/handlers.h"
#include "http/openapi.h"
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

void openapi_json(ApiServices&, Call&, net::Responder respond) {
  net::HttpResponse r;
  r.body = std::string(openapi_document());
  respond(std::move(r));
}

void ui_page(ApiServices& s, Call& call, net::Responder respond) {
  respond(*s.ui->response(call.request));
}

}  // namespace postern::http
