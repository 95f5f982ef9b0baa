#include "providers/common/http_call.h"

#include "providers/common/request_budget.h"

namespace postern::providers::common {

namespace {

std::chrono::microseconds since(const Clock& clock, SteadyTime start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - start);
}

}  // namespace

void send_classified(net::HttpClient& http, const Clock& clock, net::HttpClientRequest request,
                     SendClassifier classify, std::function<void(SendResult)> done) {
  auto start = clock.steady_now();
  http.send(std::move(request), [&clock, start, classify = std::move(classify),
                                 done = std::move(done)](Result<net::HttpClientResponse> response) {
    SendResult result =
        response ? classify(*response, clock.now()) : transport_failure(response.error());
    result.latency = since(clock, start);
    done(std::move(result));
  });
}

void send_budgeted(RequestBudget* budget, std::uint64_t estimate, net::HttpClient& http,
                   const Clock& clock, RequestBuilder build, SendClassifier classify,
                   std::function<void(SendResult)> done) {
  auto go = [&http, &clock, build = std::move(build), classify = std::move(classify),
             done = std::move(done)](RequestBudget::Charge charge) mutable {
    auto request = build();
    if (!request) return done(std::move(request.error()));
    charge.resize(request->body.size());
    // Held with the request: released when the answer comes.
    auto held = std::make_shared<RequestBudget::Charge>(std::move(charge));
    send_classified(http, clock, std::move(*request), std::move(classify),
                    [held = std::move(held), done = std::move(done)](SendResult r) {
                      held->reset();
                      done(std::move(r));
                    });
  };
  if (!budget) return go(RequestBudget::Charge());
  budget->admit(estimate, std::move(go));
}

void probe_classified(net::HttpClient& http, const Clock& clock, net::HttpClientRequest request,
                      ProbeClassifier classify, std::function<void(ProbeResult)> done) {
  auto start = clock.steady_now();
  http.send(std::move(request), [&clock, start, classify = std::move(classify),
                                 done = std::move(done)](Result<net::HttpClientResponse> response) {
    ProbeResult result;
    if (response) {
      result = classify(*response);
    } else {
      auto failure = transport_failure(response.error());
      result.healthy = false;
      // A probe has no message to duplicate: a timeout is an outage here.
      result.failure_class = FailureClass::provider_down;
      result.detail = failure.detail;
    }
    result.latency = since(clock, start);
    done(std::move(result));
  });
}

SendResult transport_failure(const error_code& ec) {
  SendResult r;
  r.failure_class = net::request_may_have_been_processed(ec) ? FailureClass::transient
                                                             : FailureClass::provider_down;
  r.code = ec.category() == net::http_client_category()
               ? std::string(net::to_string(static_cast<net::HttpClientErrc>(ec.value())))
               : "transport_error";
  r.detail = ec.message();
  return r;
}

FailureClass fallback_class(int status) {
  if (status >= 200 && status < 300) return FailureClass::ok;
  if (status == 408 || status == 429) return FailureClass::transient;
  if (status >= 400 && status < 500) return FailureClass::permanent;
  if (status >= 300 && status < 400) return FailureClass::provider_down;
  if (status >= 500) return FailureClass::provider_down;
  return FailureClass::transient;
}

SendResult http_result(FailureClass failure_class, int status, std::string detail) {
  SendResult r;
  r.failure_class = failure_class;
  r.code = std::to_string(status);
  r.detail = std::move(detail);
  return r;
}

}  // namespace postern::providers::common
