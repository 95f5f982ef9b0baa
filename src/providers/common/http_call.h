// The send and probe skeleton every HTTP API provider shares: time the call,
// classify transport failures the same way for all (docs/providers.md,
// Failure classes), and hand HTTP answers to the provider's own table.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "net/http_client.h"
#include "providers/provider.h"

namespace postern::providers::common {

class RequestBudget;

// The provider's table: an HTTP answer (any status) to a classified result.
// `now` is wall-clock time, for reset times and dates in the answer.
using SendClassifier = std::function<SendResult(const net::HttpClientResponse&, SystemTime now)>;
using ProbeClassifier = std::function<ProbeResult(const net::HttpClientResponse&)>;

// Sends `request` and answers `done` (once, on an I/O thread) with the
// classified result and its latency.
void send_classified(net::HttpClient& http, const Clock& clock, net::HttpClientRequest request,
                     SendClassifier classify, std::function<void(SendResult)> done);
void probe_classified(net::HttpClient& http, const Clock& clock, net::HttpClientRequest request,
                      ProbeClassifier classify, std::function<void(ProbeResult)> done);

// Builds a request whose body holds the message and sends it as
// send_classified does, within `budget` (request_budget.h; null: none):
// `build` runs once `estimate` bytes are charged, the charge then follows
// the body's size until the answer. `build` gives the request, or the
// answer to give without sending (a message that cannot be read).
using RequestBuilder = std::function<Result<net::HttpClientRequest, SendResult>()>;
void send_budgeted(RequestBudget* budget, std::uint64_t estimate, net::HttpClient& http,
                   const Clock& clock, RequestBuilder build, SendClassifier classify,
                   std::function<void(SendResult)> done);

// Transport failures: before the request was fully sent the provider
// is unreachable (provider_down: fail over); after it, the outcome is
// ambiguous (transient: retried, possibly as a duplicate).
SendResult transport_failure(const error_code& ec);

// The class of a status no provider table names: 2xx ok, 408 and 429
// transient, other 4xx permanent (a request we cannot fix by resending),
// 3xx and 5xx provider_down (misrouted base URL, provider failure).
FailureClass fallback_class(int status);

// A result with code = the status as text.
SendResult http_result(FailureClass failure_class, int status, std::string detail);

}  // namespace postern::providers::common
