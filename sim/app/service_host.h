// Puts one simulated HTTP API on its own port through Postern's HttpServer:
// rolls the faults for each request (hang, auth failure, 429, 5xx,
// latency), asks the service for its answer, and records what was accepted.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "net/http_server.h"
#include "net/io_runtime.h"
#include "net/listen_address.h"
#include "sim/common/fault_state.h"
#include "sim/common/http_service.h"
#include "sim/common/ledger.h"
#include "sim/common/listener.h"
#include "sim/webhooks/webhook_control.h"

namespace postern::sim {

class HttpServiceHost final : public ServiceListener {
 public:
  // All references must outlive the host. `listen` is "host:port".
  HttpServiceHost(net::IoRuntime& io, MetricsRegistry& metrics, net::ListenAddress listen,
                  std::unique_ptr<HttpService> service, FaultState& faults, Ledger& ledger,
                  WebhookSink* webhooks = nullptr);
  ~HttpServiceHost() override;

  // ServiceListener
  Result<std::uint16_t, Problem> open() override;
  void close() override;
  void release_held() override;
  bool is_open() const override { return open_.load(); }
  std::uint16_t port() const override { return port_.load(); }
  std::string host() const override { return address_.host; }

 private:
  // The HttpHandler: runs on the connection's I/O thread.
  void handle(net::HttpRequest&& request, net::Responder respond);
  // Delivers `response` after `delay` (the latency fault) without blocking.
  void answer_later(std::chrono::milliseconds delay, net::Responder respond,
                    net::HttpResponse response);

  net::IoRuntime& io_;
  MetricsRegistry& metrics_;
  net::ListenAddress address_;
  std::unique_ptr<HttpService> service_;
  FaultState& faults_;
  Ledger& ledger_;
  WebhookSink* webhooks_;                    // told of each accepted message; may be null
  std::unique_ptr<net::HttpServer> server_;  // only the control thread touches it
  std::atomic<bool> open_{false};
  std::atomic<std::uint16_t> port_{0};
  std::mutex held_mu_;
  std::vector<net::Responder> held_;  // requests the hang fault keeps; guarded by held_mu_
};

}  // namespace postern::sim
