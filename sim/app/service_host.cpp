#include "sim/app/service_host.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

using Kind = FaultDecision::Kind;

// The outage status when the fault names none.
constexpr int kDefaultErrorStatus = 503;

}  // namespace

HttpServiceHost::HttpServiceHost(net::IoRuntime& io, MetricsRegistry& metrics,
                                 net::ListenAddress listen, std::unique_ptr<HttpService> service,
                                 FaultState& faults, Ledger& ledger, WebhookSink* webhooks)
    : io_(io),
      metrics_(metrics),
      address_(std::move(listen)),
      service_(std::move(service)),
      faults_(faults),
      ledger_(ledger),
      webhooks_(webhooks) {}

HttpServiceHost::~HttpServiceHost() { close(); }

Result<std::uint16_t, Problem> HttpServiceHost::open() {
  if (open_) return port_.load();
  net::HttpServerOptions options;
  // After the first bind, the same port again: clients keep their address.
  options.listen = host_port(address_.host, port_ ? port_.load() : address_.port);
  options.max_body_bytes = 64 * 1024 * 1024;
  auto server = std::make_unique<net::HttpServer>(
      io_, options,
      [this](net::HttpRequest&& request, net::Responder respond) {
        handle(std::move(request), respond);
      },
      metrics_);
  open_ = true;  // before the first request can arrive
  auto port = server->start();
  if (!port) {
    open_ = false;
    return Problem{std::string(service_name(service_->kind())) + ": cannot listen on " +
                   options.listen + ": " + port.error().message()};
  }
  server_ = std::move(server);
  port_ = *port;
  return *port;
}

void HttpServiceHost::close() {
  {
    // Under the lock, so handle() either sees the host closed or holds its
    // request before release_held() below takes them all.
    std::lock_guard lock(held_mu_);
    open_ = false;
  }
  // Held requests first: the server waits for every connection to finish.
  release_held();
  if (server_) {
    server_->stop(std::chrono::milliseconds(0));
    server_.reset();
  }
}

void HttpServiceHost::release_held() {
  std::vector<net::Responder> held;
  {
    std::lock_guard lock(held_mu_);
    held.swap(held_);
  }
  for (auto& respond : held) {
    auto response = service_->server_error(net::HttpRequest{}, 503);
    response.close = true;
    respond(std::move(response));
  }
}

void HttpServiceHost::answer_later(std::chrono::milliseconds delay, net::Responder respond,
                                   net::HttpResponse response) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_.next(), delay);
  timer->async_wait(
      [timer, respond, response = std::move(response)](const boost::system::error_code&) mutable {
        respond(std::move(response));
      });
}

void HttpServiceHost::handle(net::HttpRequest&& request, net::Responder respond) {
  const auto kind = service_->kind();
  const bool probe = service_->is_probe(request);
  const auto decision = faults_.decide(probe);
  if (decision.kind == Kind::hang) {
    // Read, never answered: the client's own timeout is what is tested.
    std::unique_lock lock(held_mu_);
    if (open_) {
      held_.push_back(std::move(respond));
      return;
    }
    // close() already released the held requests: nobody would answer this one.
    lock.unlock();
    auto response = service_->server_error(request, 503);
    response.close = true;
    respond(std::move(response));
    return;
  }
  const auto now = std::chrono::system_clock::now();
  net::HttpResponse response;
  switch (decision.kind) {
    case Kind::auth:
      response = service_->unauthorized(request);
      break;
    case Kind::throttle:
      response = service_->throttled(request, decision.retry_after, now);
      // The fault's retry hint also as the standard header (RFC 9110
      // §10.2.3), besides each provider's own (Mailgun's text, SendGrid's
      // X-RateLimit-Reset).
      response.headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
      break;
    case Kind::error:
      response =
          service_->server_error(request, decision.status ? decision.status : kDefaultErrorStatus);
      break;
    case Kind::none:
    case Kind::hang: {
      RequestContext context{now, faults_, probe ? ledger_.accepted(kind) : 0};
      auto answer = service_->handle(request, context);
      response = std::move(answer.response);
      if (answer.accepted) {
        if (webhooks_) {
          AcceptedMessage message{
              kind, answer.accepted->postern_id, answer.accepted->provider_message_id, {}, now};
          for (auto& address : answer.accepted->recipients)
            message.recipients.push_back({address, faults_.outcome(address)});
          webhooks_->accepted(std::move(message));
        }
        Receipt receipt;
        receipt.service = kind;
        receipt.received_at = now;
        receipt.provider_message_id = std::move(answer.accepted->provider_message_id);
        receipt.method = std::move(request.method);
        receipt.target = std::move(request.target);
        receipt.headers = std::move(request.headers);
        receipt.recipients = std::move(answer.accepted->recipients);
        receipt.body = std::move(request.body);
        ledger_.accept(answer.accepted->postern_id, std::move(receipt));
      }
      break;
    }
  }
  if (response.status >= 400) ledger_.reject(kind, response.status);
  if (decision.latency.count() > 0) {
    answer_later(decision.latency, std::move(respond), std::move(response));
  } else {
    respond(std::move(response));
  }
}

}  // namespace postern::sim
