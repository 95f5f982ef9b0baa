// ProxyReceiver: see proxy_accept.h.
#include "net/proxy_accept.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/proxy_header.h"

namespace postern::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

Counter& refusals(MetricsRegistry& metrics, const std::string& server, const char* reason) {
  return metrics.counter("postern_proxy_protocol_refused_total",
                         "Connections closed on a PROXY protocol listener before their session: "
                         "from outside proxy_from, or without a valid header",
                         {{"server", server}, {"reason", reason}});
}

}  // namespace

ProxyReceiver::ProxyReceiver(NetworkList from, bool any_sender, std::string name,
                             MetricsRegistry& metrics)
    : from_(std::move(from)),
      any_sender_(any_sender),
      name_(std::move(name)),
      not_allowed_(refusals(metrics, name_, "not_allowed")),
      invalid_(refusals(metrics, name_, "invalid")),
      timeout_(refusals(metrics, name_, "timeout")),
      closed_(refusals(metrics, name_, "closed")) {}

Result<std::shared_ptr<const ProxyReceiver>, Problem> ProxyReceiver::create(
    const ProxyProtocolOptions& options, std::string name, MetricsRegistry& metrics) {
  if (!options.enabled) return std::shared_ptr<const ProxyReceiver>();
  auto from = NetworkList::parse(options.from);
  if (!from) return Problem{"proxy_from: " + from.error().message};
  return std::shared_ptr<const ProxyReceiver>(std::make_shared<ProxyReceiver>(
      std::move(*from), options.from.empty(), std::move(name), metrics));
}

void ProxyReceiver::refuse(tcp::socket& socket, const Peer& peer, Counter& counter,
                           const std::string& why) const {
  counter.inc();
  spdlog::warn("{} {}: connection closed: {}", name_, peer.label, why);
  boost::system::error_code ignored;
  socket.close(ignored);
}

asio::awaitable<std::optional<Peer>> ProxyReceiver::receive(tcp::socket& socket) const {
  auto sender = accepted_peer(socket, name_);
  if (!sender) co_return std::nullopt;
  if (!any_sender_ && !from_.contains(sender->address)) {
    refuse(socket, *sender, not_allowed_, "not in proxy_from, so it may not send a PROXY header");
    co_return std::nullopt;
  }
  // The bound: a timer that cancels the read. Its handler may run after
  // this coroutine is gone (it fired as the read completed): it then
  // touches nothing but the shared flags.
  struct Watch {
    bool done = false;
    bool expired = false;
  };
  auto watch = std::make_shared<Watch>();
  asio::steady_timer timer(socket.get_executor(), kHeaderTimeout);
  timer.async_wait([watch, &socket](boost::system::error_code ec) {
    if (ec || watch->done) return;
    watch->expired = true;
    boost::system::error_code ignored;
    socket.cancel(ignored);
  });
  std::string received;
  ProxyParse parse;
  for (;;) {
    parse = parse_proxy_header(received);
    if (parse.status != ProxyParse::Status::need_more) break;
    // Only what the parser wants: the bytes after the header are the
    // session's, and must stay in the socket for it.
    auto old = received.size();
    received.resize(old + parse.wanted);
    auto [ec, n] = co_await socket.async_read_some(
        asio::buffer(received.data() + old, parse.wanted), asio::as_tuple(asio::use_awaitable));
    received.resize(old + n);
    if (ec) break;
  }
  watch->done = true;
  timer.cancel();
  if (parse.status == ProxyParse::Status::invalid) {
    refuse(socket, *sender, invalid_, "no valid PROXY protocol header: " + parse.problem);
    co_return std::nullopt;
  }
  if (parse.status != ProxyParse::Status::complete) {
    if (watch->expired) {
      refuse(socket, *sender, timeout_,
             "no PROXY protocol header within " + std::to_string(kHeaderTimeout.count()) + "s");
    } else {
      refuse(socket, *sender, closed_, "closed before its PROXY protocol header ended");
    }
    co_return std::nullopt;
  }
  Peer peer = *sender;
  if (const auto& source = parse.header.source) {
    peer = make_peer(source->address, source->port);
    spdlog::debug("{} {}: PROXY v{} header from {}", name_, peer.label, parse.header.version,
                  sender->label);
  }
  peer.proxied = true;
  co_return peer;
}

}  // namespace postern::net
