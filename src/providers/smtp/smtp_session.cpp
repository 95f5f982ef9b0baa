#include "providers/smtp/smtp_session.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include "core/address.h"
#include "core/base64.h"

namespace postern::providers::smtp {

namespace {

namespace beast = boost::beast;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxReplyBytes = 64 * 1024;  // RFC 5321 §4.5.3.1.5 allows 512 per line

SmtpFailure local(SmtpStage stage, SmtpLocal why, std::string detail) {
  return {stage, std::nullopt, why, std::move(detail)};
}
SmtpFailure refused(SmtpStage stage, SmtpReply reply) {
  return {stage, std::move(reply), SmtpLocal::none, ""};
}

}  // namespace

SmtpSession::SmtpSession(Plain stream, std::shared_ptr<const SmtpRelaySettings> settings)
    : stream_(std::in_place_type<Plain>, std::move(stream)), settings_(std::move(settings)) {}

beast::tcp_stream& SmtpSession::tcp() {
  if (auto* plain = std::get_if<Plain>(&stream_)) return *plain;
  return std::get<Tls>(stream_).next_layer();
}

asio::any_io_executor SmtpSession::executor() { return tcp().get_executor(); }

SmtpSession::Deadline SmtpSession::command_deadline() const {
  return std::chrono::steady_clock::now() + settings_->command_timeout;
}

SmtpFailure SmtpSession::lost(SmtpStage stage, const boost::system::error_code& ec) {
  usable_ = false;
  if (ec == beast::error::timeout) return local(stage, SmtpLocal::timeout, "no answer in time");
  return local(stage, SmtpLocal::connection_lost, ec.message());
}

asio::awaitable<std::optional<SmtpFailure>> SmtpSession::write(SmtpStage stage,
                                                               std::string_view bytes,
                                                               Deadline deadline) {
  tcp().expires_at(deadline);
  auto [ec, n] = co_await std::visit(
      [&](auto& s) {
        return asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), kTuple);
      },
      stream_);
  if (ec) co_return lost(stage, ec);
  co_return std::nullopt;
}

asio::awaitable<std::optional<SmtpReply>> SmtpSession::read_reply(
    SmtpStage stage, Deadline deadline, std::optional<SmtpFailure>& failure) {
  ReplyParser parser;
  std::array<char, 4096> chunk;
  for (;;) {
    auto end = buffer_.find('\n');
    if (end == std::string::npos) {
      if (buffer_.size() > kMaxReplyBytes) {
        usable_ = false;
        failure = local(stage, SmtpLocal::malformed_reply, "reply line too long");
        co_return std::nullopt;
      }
      tcp().expires_at(deadline);
      auto [ec, n] = co_await std::visit(
          [&](auto& s) { return s.async_read_some(asio::buffer(chunk), kTuple); }, stream_);
      if (ec) {
        failure = lost(stage, ec);
        co_return std::nullopt;
      }
      buffer_.append(chunk.data(), n);
      continue;
    }
    // CRLF ends a line (RFC 5321 §2.3.8); a bare LF is tolerated on input.
    std::string_view line(buffer_.data(), end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto reply = parser.feed(line);
    buffer_.erase(0, end + 1);
    if (parser.error()) {
      usable_ = false;
      failure = local(stage, SmtpLocal::malformed_reply, "not an SMTP reply");
      co_return std::nullopt;
    }
    if (reply) co_return reply;
  }
}

asio::awaitable<std::optional<SmtpReply>> SmtpSession::command(
    SmtpStage stage, std::string_view line, std::optional<SmtpFailure>& failure) {
  auto deadline = command_deadline();
  std::string bytes = std::string(line) + "\r\n";
  auto written = co_await write(stage, bytes, deadline);
  if (written) {
    failure = std::move(written);
    co_return std::nullopt;
  }
  co_return co_await read_reply(stage, deadline, failure);
}

asio::awaitable<std::unique_ptr<SmtpSession>> SmtpSession::open(
    std::shared_ptr<const SmtpRelaySettings> settings, net::ClientTlsContext& tls,
    std::optional<SmtpFailure>& failure) {
  auto executor = co_await asio::this_coro::executor;
  auto connect_deadline = std::chrono::steady_clock::now() + settings->connect_timeout;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, connect_deadline);
  auto resolved =
      co_await (resolver.async_resolve(settings->host, std::to_string(settings->port), kTuple) ||
                timer.async_wait(kTuple));
  if (resolved.index() == 1) {
    failure =
        local(SmtpStage::connect, SmtpLocal::timeout, "resolving " + settings->host + " timed out");
    co_return nullptr;
  }
  auto [rec, endpoints] = std::get<0>(std::move(resolved));
  if (rec) {
    failure = local(SmtpStage::connect, SmtpLocal::connect_failed,
                    "cannot resolve " + settings->host + ": " + rec.message());
    co_return nullptr;
  }
  Plain plain(executor);
  plain.expires_at(connect_deadline);
  auto [cec, endpoint] = co_await plain.async_connect(endpoints, kTuple);
  if (cec) {
    auto why = cec == asio::error::connection_refused ? SmtpLocal::connection_refused
               : cec == beast::error::timeout         ? SmtpLocal::timeout
                                                      : SmtpLocal::connect_failed;
    failure = local(SmtpStage::connect, why,
                    settings->host + ":" + std::to_string(settings->port) + ": " + cec.message());
    co_return nullptr;
  }
  std::unique_ptr<SmtpSession> session(new SmtpSession(std::move(plain), settings));
  if (settings->tls == TlsMode::implicit) {
    failure = co_await session->start_tls(tls);
    if (failure) co_return nullptr;
  }
  auto greeting =
      co_await session->read_reply(SmtpStage::greeting, session->command_deadline(), failure);
  if (!greeting) co_return nullptr;
  if (greeting->code != 220) {
    failure = refused(SmtpStage::greeting, std::move(*greeting));
    co_return nullptr;
  }
  failure = co_await session->hello();
  if (failure) co_return nullptr;
  if (settings->tls == TlsMode::starttls) {
    // Never fall back to clear text when TLS was asked for (RFC 3207 §4).
    if (!session->capabilities_.starttls) {
      failure = local(SmtpStage::starttls, SmtpLocal::starttls_unavailable,
                      "the relay does not offer STARTTLS");
      co_return nullptr;
    }
    auto reply = co_await session->command(SmtpStage::starttls, "STARTTLS", failure);
    if (!reply) co_return nullptr;
    if (reply->code != 220) {
      failure = refused(SmtpStage::starttls, std::move(*reply));
      co_return nullptr;
    }
    failure = co_await session->start_tls(tls);
    if (failure) co_return nullptr;
    // RFC 3207 §4.2: forget what was learned before TLS and ask again.
    failure = co_await session->hello();
    if (failure) co_return nullptr;
  }
  if (!settings->username.empty()) {
    failure = co_await session->authenticate();
    if (failure) co_return nullptr;
  }
  co_return session;
}

asio::awaitable<std::optional<SmtpFailure>> SmtpSession::hello() {
  std::optional<SmtpFailure> failure;
  auto reply = co_await command(SmtpStage::ehlo, "EHLO " + settings_->helo_name, failure);
  if (!reply) co_return failure;
  if (reply->code == 250) {
    capabilities_ = parse_capabilities(*reply);
    co_return std::nullopt;
  }
  if (reply->code >= 500 && reply->code != 554) {
    // RFC 5321 §3.2: a server that does not know EHLO still knows HELO.
    reply = co_await command(SmtpStage::ehlo, "HELO " + settings_->helo_name, failure);
    if (!reply) co_return failure;
    if (reply->code == 250) {
      capabilities_ = {};
      co_return std::nullopt;
    }
  }
  co_return refused(SmtpStage::ehlo, std::move(*reply));
}

asio::awaitable<std::optional<SmtpFailure>> SmtpSession::start_tls(net::ClientTlsContext& tls) {
  // RFC 3207 §4.2: bytes after the 220 and before the handshake would be
  // taken as protected later: a command-injection attack.
  if (!buffer_.empty()) {
    usable_ = false;
    co_return local(SmtpStage::starttls, SmtpLocal::tls_failed,
                    "the relay sent data before the TLS handshake");
  }
  Plain plain = std::move(std::get<Plain>(stream_));
  auto& secure = stream_.emplace<Tls>(std::move(plain), tls.native());
  if (auto prepared = tls.prepare(secure.native_handle(), settings_->host); !prepared) {
    usable_ = false;
    co_return local(SmtpStage::starttls, SmtpLocal::tls_failed, prepared.error().message);
  }
  tcp().expires_after(settings_->connect_timeout);
  auto [ec] = co_await secure.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (ec) {
    usable_ = false;
    auto why = net::tls_verify_failure(secure.native_handle());
    co_return local(SmtpStage::starttls,
                    ec == beast::error::timeout ? SmtpLocal::timeout : SmtpLocal::tls_failed,
                    why.empty() ? ec.message() : why);
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<SmtpFailure>> SmtpSession::authenticate() {
  std::optional<SmtpFailure> failure;
  const auto& user = settings_->username;
  const auto& password = settings_->password;
  if (capabilities_.auth_plain) {
    // RFC 4616 §2: authzid NUL authcid NUL passwd, as the initial response
    // (RFC 4954 §4).
    std::string token =
        base64_encode(std::string(1, '\0') + user + std::string(1, '\0') + password);
    auto reply = co_await command(SmtpStage::auth, "AUTH PLAIN " + token, failure);
    if (!reply) co_return failure;
    if (reply->code != 235) co_return refused(SmtpStage::auth, std::move(*reply));
    co_return std::nullopt;
  }
  if (capabilities_.auth_login) {
    // LOGIN: 334 prompts for the user name, then for the password; 235 ends.
    const std::array<std::string, 3> steps = {"AUTH LOGIN", base64_encode(user),
                                              base64_encode(password)};
    for (std::size_t i = 0; i < steps.size(); ++i) {
      auto reply = co_await command(SmtpStage::auth, steps[i], failure);
      if (!reply) co_return failure;
      bool expected = i + 1 < steps.size() ? reply->code == 334 : reply->code == 235;
      if (!expected) co_return refused(SmtpStage::auth, std::move(*reply));
    }
    co_return std::nullopt;
  }
  co_return local(SmtpStage::auth, SmtpLocal::auth_unavailable,
                  "the relay offers neither AUTH PLAIN nor AUTH LOGIN");
}

asio::awaitable<bool> SmtpSession::reset() {
  std::optional<SmtpFailure> failure;
  auto reply = co_await command(SmtpStage::rset, "RSET", failure);
  if (!reply || reply->code != 250) usable_ = false;
  co_return usable_;
}

asio::awaitable<bool> SmtpSession::noop() {
  std::optional<SmtpFailure> failure;
  auto reply = co_await command(SmtpStage::rset, "NOOP", failure);
  if (!reply || reply->code != 250) usable_ = false;
  co_return usable_;
}

asio::awaitable<void> SmtpSession::quit() {
  if (usable_) {
    std::string bytes = "QUIT\r\n";
    auto deadline = std::chrono::steady_clock::now() +
                    std::min(settings_->command_timeout, std::chrono::milliseconds(5000));
    auto failed = co_await write(SmtpStage::rset, bytes, deadline);
    if (!failed) {
      std::optional<SmtpFailure> ignored;
      co_await read_reply(SmtpStage::rset, deadline, ignored);
    }
  }
  usable_ = false;
  boost::system::error_code ec;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  tcp().close();
}

}  // namespace postern::providers::smtp
