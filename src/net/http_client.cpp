#include "net/http_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <deque>
#include <map>
#include <mutex>

#include "core/ascii.h"
#include "net/detail/http_connection.h"
#include "net/io_runtime.h"

namespace postern::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using detail::HttpConnection;
using Done = std::function<void(Result<HttpClientResponse>)>;

namespace {

class HttpClientCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "postern.http_client"; }
  std::string message(int ev) const override {
    switch (static_cast<HttpClientErrc>(ev)) {
      case HttpClientErrc::ok:
        return "ok";
      case HttpClientErrc::invalid_request:
        return "invalid request (URL or method)";
      case HttpClientErrc::resolve_failed:
        return "host name not resolved";
      case HttpClientErrc::connection_refused:
        return "connection refused";
      case HttpClientErrc::connect_failed:
        return "connection failed";
      case HttpClientErrc::connect_timeout:
        return "connect timed out";
      case HttpClientErrc::tls_failed:
        return "TLS handshake failed";
      case HttpClientErrc::send_failed:
        return "connection failed while sending the request";
      case HttpClientErrc::timeout_before_sent:
        return "timed out before the request was sent";
      case HttpClientErrc::timeout_after_sent:
        return "timed out waiting for the response";
      case HttpClientErrc::connection_lost:
        return "connection lost before a complete response";
      case HttpClientErrc::malformed_response:
        return "malformed HTTP response";
      case HttpClientErrc::body_too_large:
        return "response body too large";
    }
    return "unknown HTTP client error";
  }
};

// CR or LF in a field would split it into two (request smuggling).
bool header_safe(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

detail::BeastRequest build_request(HttpClientRequest& request, const detail::HttpTarget& target,
                                   const std::string& user_agent) {
  detail::BeastRequest r{http::string_to_verb(request.method), target.target, 11};
  bool has_host = false, has_agent = false, has_length = false;
  for (const auto& [name, value] : request.headers) {
    r.insert(name, value);
    has_host = has_host || ascii_iequals(name, "Host");
    has_agent = has_agent || ascii_iequals(name, "User-Agent");
    has_length = has_length || ascii_iequals(name, "Content-Length");
  }
  if (!has_host) r.set(http::field::host, target.host_header);
  if (!has_agent) r.set(http::field::user_agent, user_agent);
  r.body() = std::move(request.body);
  if (!has_length) r.prepare_payload();
  return r;
}

}  // namespace

std::string_view to_string(HttpClientErrc e) {
  switch (e) {
    case HttpClientErrc::ok:
      return "ok";
    case HttpClientErrc::invalid_request:
      return "invalid_request";
    case HttpClientErrc::resolve_failed:
      return "resolve_failed";
    case HttpClientErrc::connection_refused:
      return "connection_refused";
    case HttpClientErrc::connect_failed:
      return "connect_failed";
    case HttpClientErrc::connect_timeout:
      return "connect_timeout";
    case HttpClientErrc::tls_failed:
      return "tls_failed";
    case HttpClientErrc::send_failed:
      return "send_failed";
    case HttpClientErrc::timeout_before_sent:
      return "timeout_before_sent";
    case HttpClientErrc::timeout_after_sent:
      return "timeout_after_sent";
    case HttpClientErrc::connection_lost:
      return "connection_lost";
    case HttpClientErrc::malformed_response:
      return "malformed_response";
    case HttpClientErrc::body_too_large:
      return "body_too_large";
  }
  return "unknown";
}

const boost::system::error_category& http_client_category() noexcept {
  static const HttpClientCategory category;
  return category;
}

bool request_may_have_been_processed(const error_code& ec) {
  if (ec.category() != http_client_category()) return false;
  auto e = static_cast<HttpClientErrc>(ec.value());
  // A malformed or oversized answer is still an answer: the server acted.
  return e == HttpClientErrc::timeout_after_sent || e == HttpClientErrc::connection_lost ||
         e == HttpClientErrc::malformed_response || e == HttpClientErrc::body_too_large;
}

Result<std::string> host_header_of(std::string_view url) {
  auto target = detail::parse_http_url(url);
  if (!target) return target.error();
  return target->host_header;
}

std::string HttpClientResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (ascii_iequals(n, name)) return v;
  }
  return "";
}

struct HttpClient::Impl {
  Impl(IoRuntime& io_runtime, HttpClientOptions opts, std::shared_ptr<ClientTlsContext> tls_context)
      : io(io_runtime), options(std::move(opts)), tls(std::move(tls_context)) {}

  struct Idle {
    std::unique_ptr<HttpConnection> connection;
    std::chrono::steady_clock::time_point since;
  };

  // Connections are closed on their own I/O thread, never under mu.
  static void dispose(std::unique_ptr<HttpConnection> connection) {
    if (!connection) return;
    auto executor = connection->executor();
    asio::post(executor, [c = std::move(connection)]() mutable { c.reset(); });
  }

  // The most recently used idle connection (least likely to be stale).
  std::unique_ptr<HttpConnection> take(const std::string& key) {
    std::vector<std::unique_ptr<HttpConnection>> expired;
    std::unique_ptr<HttpConnection> found;
    {
      std::lock_guard lock(mu);
      auto it = idle.find(key);
      if (it == idle.end()) return nullptr;
      auto cutoff = std::chrono::steady_clock::now() - options.idle_expiry;
      auto& list = it->second;
      while (!list.empty() && list.front().since < cutoff) {
        expired.push_back(std::move(list.front().connection));
        list.pop_front();
      }
      if (!list.empty()) {
        found = std::move(list.back().connection);
        list.pop_back();
      }
      if (list.empty()) idle.erase(it);
    }
    for (auto& c : expired) dispose(std::move(c));
    return found;
  }

  void release(const std::string& key, std::unique_ptr<HttpConnection> connection) {
    {
      std::lock_guard lock(mu);
      auto& list = idle[key];
      if (!closed && list.size() < options.max_idle_per_host) {
        list.push_back({std::move(connection), std::chrono::steady_clock::now()});
        return;
      }
      if (list.empty()) idle.erase(key);
    }
    dispose(std::move(connection));
  }

  // Closes connections idle for longer than idle_expiry (all when `all`).
  void sweep(bool all) {
    std::vector<std::unique_ptr<HttpConnection>> gone;
    {
      std::lock_guard lock(mu);
      auto cutoff = std::chrono::steady_clock::now() - options.idle_expiry;
      for (auto it = idle.begin(); it != idle.end();) {
        auto& list = it->second;
        while (!list.empty() && (all || list.front().since < cutoff)) {
          gone.push_back(std::move(list.front().connection));
          list.pop_front();
        }
        it = list.empty() ? idle.erase(it) : std::next(it);
      }
    }
    for (auto& c : gone) dispose(std::move(c));
  }

  IoRuntime& io;
  const HttpClientOptions options;
  const std::shared_ptr<ClientTlsContext> tls;
  mutable std::mutex mu;
  std::map<std::string, std::deque<Idle>> idle;  // guarded by mu
  bool closed = false;                           // guarded by mu
  std::atomic<std::uint64_t> opened{0};
  std::atomic<std::uint64_t> reused{0};
  std::atomic<std::uint64_t> stale_retries{0};
};

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> run_request(std::shared_ptr<HttpClient::Impl> self, detail::HttpTarget target,
                                  HttpClientRequest request, std::unique_ptr<HttpConnection> pooled,
                                  Done done) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + request.timeout;
  const detail::ExchangeLimits limits{self->options.max_response_body_bytes,
                                      self->options.max_response_header_bytes};
  const auto beast_request = build_request(request, target, self->options.user_agent);
  Result<HttpClientResponse> result = make_error_code(HttpClientErrc::connection_lost);
  bool retried = false;
  for (;;) {
    const bool reused = pooled != nullptr;
    auto connection = std::move(pooled);
    if (!connection) {
      auto connect_deadline = std::min(deadline, Clock::now() + self->options.connect_timeout);
      auto connected = co_await detail::connect_http(target, self->tls.get(), connect_deadline);
      if (!connected) {
        result = connected.error();
        break;
      }
      connection = std::move(*connected);
      self->opened.fetch_add(1, std::memory_order_relaxed);
    } else {
      self->reused.fetch_add(1, std::memory_order_relaxed);
    }
    auto outcome = co_await detail::exchange(*connection, beast_request, deadline, limits);
    if (outcome.response) {
      if (outcome.keep_alive) self->release(target.pool_key, std::move(connection));
      result = std::move(outcome.response);
      break;
    }
    auto ec = outcome.response.error();
    // A pooled connection the server had already closed: nothing came back,
    // so the server did not answer this request. Once, on a fresh one.
    bool stale = reused && !retried && !outcome.got_response_bytes &&
                 (ec == HttpClientErrc::send_failed || ec == HttpClientErrc::connection_lost);
    if (!stale) {
      result = ec;
      break;
    }
    retried = true;
    self->stale_retries.fetch_add(1, std::memory_order_relaxed);
  }
  done(std::move(result));
}

asio::awaitable<void> sweep_loop(std::weak_ptr<HttpClient::Impl> weak,
                                 std::chrono::milliseconds period) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(period);
    co_await timer.async_wait(kTuple);
    auto self = weak.lock();
    if (!self) co_return;
    self->sweep(false);
  }
}

}  // namespace

Result<std::unique_ptr<HttpClient>, Problem> HttpClient::create(IoRuntime& io,
                                                                HttpClientOptions options) {
  auto tls = ClientTlsContext::create(options.tls);
  if (!tls) return tls.error();
  auto period = std::clamp(options.idle_expiry / 2, std::chrono::milliseconds(50),
                           std::chrono::milliseconds(5000));
  auto impl = std::make_shared<Impl>(io, std::move(options), std::move(*tls));
  asio::co_spawn(io.context(0), sweep_loop(impl, period), asio::detached);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->closed = true;
  }
  impl_->sweep(true);
}

void HttpClient::send(HttpClientRequest request, Done done) {
  auto target = detail::parse_http_url(request.url);
  bool valid = target && http::string_to_verb(request.method) != http::verb::unknown;
  for (const auto& [name, value] : request.headers)
    valid = valid && header_safe(name) && header_safe(value);
  if (!valid) {
    asio::post(impl_->io.next(), [done = std::move(done)] {
      done(make_error_code(HttpClientErrc::invalid_request));
    });
    return;
  }
  auto pooled = impl_->take(target->pool_key);
  asio::any_io_executor executor = pooled ? pooled->executor() : impl_->io.next().get_executor();
  asio::co_spawn(executor,
                 run_request(impl_, std::move(*target), std::move(request), std::move(pooled),
                             std::move(done)),
                 [](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     spdlog::error("http client: request coroutine failed: {}", ex.what());
                   }
                 });
}

HttpClientStats HttpClient::stats() const {
  HttpClientStats s;
  s.connections_opened = impl_->opened.load(std::memory_order_relaxed);
  s.connections_reused = impl_->reused.load(std::memory_order_relaxed);
  s.stale_retries = impl_->stale_retries.load(std::memory_order_relaxed);
  std::lock_guard lock(impl_->mu);
  for (const auto& [_, list] : impl_->idle) s.idle_connections += list.size();
  return s;
}

void HttpClient::close_idle() { impl_->sweep(true); }

}  // namespace postern::net
