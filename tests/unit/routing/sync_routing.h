// What the routing service's tests share: the service's dependencies (the
// real provider registry, no network), and its management calls waited
// for (without a store their answer comes at once, with one after its
// commit).
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>

#include "net/http_client.h"
#include "net/io_runtime.h"
#include "providers/registry.h"
#include "routing/routing_service.h"
#include "support/fake_clock.h"

namespace postern::test {

struct RoutingServiceDeps {
  RoutingServiceDeps()
      : http_(net::HttpClient::create(io_, {}).value()), context_{io_, *http_, clock_, metrics_} {
    providers::register_builtin_providers(registry_);
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
  net::IoRuntime io_{1};
  std::unique_ptr<net::HttpClient> http_;
  providers::ProviderContext context_;
  providers::ProviderRegistry registry_;
};

class SyncRouting {
 public:
  explicit SyncRouting(routing::RoutingService& service) : s_(service) {}

  Result<routing::ProviderView, routing::RoutingError> create(ProviderConfig c) {
    return wait<routing::ProviderView>([&](auto done) { s_.create(std::move(c), done); });
  }
  Result<routing::ProviderView, routing::RoutingError> update(ProviderConfig c) {
    return wait<routing::ProviderView>([&](auto done) { s_.update(std::move(c), done); });
  }
  Result<routing::ProviderView, routing::RoutingError> remove(const std::string& name) {
    return wait<routing::ProviderView>([&](auto done) { s_.remove(name, done); });
  }
  Result<routing::ProviderView, routing::RoutingError> set_admin(const std::string& name,
                                                                 routing::AdminState state) {
    return wait<routing::ProviderView>([&](auto done) { s_.set_admin(name, state, done); });
  }
  Result<routing::HeartbeatReply, routing::RoutingError> heartbeat(routing::HeartbeatRequest r) {
    return wait<routing::HeartbeatReply>([&](auto done) { s_.heartbeat(std::move(r), done); });
  }
  Result<routing::RoutingView, routing::RoutingError> set_routing(routing::RoutingUpdate u) {
    return wait<routing::RoutingView>([&](auto done) { s_.set_routing(std::move(u), done); });
  }

 private:
  template <class T, class Start>
  static Result<T, routing::RoutingError> wait(Start start) {
    auto promise = std::make_shared<std::promise<Result<T, routing::RoutingError>>>();
    auto answer = promise->get_future();
    start(routing::Reply<T>(
        [promise](Result<T, routing::RoutingError> r) { promise->set_value(std::move(r)); }));
    if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
      throw std::runtime_error("no answer from the routing service");
    return answer.get();
  }

  routing::RoutingService& s_;
};

}  // namespace postern::test
