#include "providers/smtp/scripted_smtp_peer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <mutex>
#include <optional>

#include "support/loopback_acceptor.h"

namespace postern::providers::smtp::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
enum class Outcome { closed, upgrade };

bool starts_with_ci(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string address_in(const std::string& command) {
  auto open = command.find('<');
  auto close = command.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return command.substr(open + 1, close - open - 1);
}

}  // namespace

std::string unstuff(const std::string& data) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (line_start && data[i] == '.') {
      line_start = false;
      continue;
    }
    out += data[i];
    line_start = data[i] == '\n';
  }
  return out;
}

// Frames live in `peer`'s io_context and refer to the Impl by `this`: the
// peer's destructor stops them first, and the frames left are destroyed
// with `peer`, touching only their own locals.
struct ScriptedSmtpPeer::Impl {
  explicit Impl(SmtpPeerScript s) : script(std::move(s)), peer(script.cert_pem, script.key_pem) {}

  SmtpPeerScript script;
  postern::test::LoopbackAcceptor peer;
  mutable std::mutex mu;
  std::vector<std::string> commands;  // guarded by mu
  std::vector<std::string> data;      // guarded by mu
  std::size_t batched = 0;            // guarded by mu

  void record(std::size_t index, const std::string& line) {
    std::lock_guard lock(mu);
    commands.push_back(std::to_string(index) + ": " + line);
  }

  template <class Stream>
  asio::awaitable<std::optional<std::string>> read_line(Stream& s, std::string& buffer,
                                                        bool command = true) {
    bool had_line = buffer.find("\r\n") != std::string::npos;
    auto [ec, n] = co_await asio::async_read_until(s, asio::dynamic_buffer(buffer), "\r\n", kTuple);
    if (ec) co_return std::nullopt;
    if (command && !had_line && buffer.find("\r\n", n) != std::string::npos) {
      std::lock_guard lock(mu);
      ++batched;
    }
    std::string line = buffer.substr(0, n - 2);
    buffer.erase(0, n);
    co_return line;
  }

  template <class Stream>
  asio::awaitable<bool> say(Stream& s, const std::string& reply) {
    std::string bytes = reply + "\r\n";
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(bytes), kTuple);
    co_return !ec;
  }

  std::string ehlo_reply(bool secure) const {
    std::vector<std::string> lines = {"relay.test"};
    lines.insert(lines.end(), script.keywords.begin(), script.keywords.end());
    if (script.offer_starttls && !secure) lines.push_back("STARTTLS");
    if (!script.auth_mechanisms.empty() && (secure || !script.offer_starttls)) {
      std::string auth = "AUTH";
      for (const auto& m : script.auth_mechanisms) auth += " " + m;
      lines.push_back(auth);
    }
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out += (i + 1 < lines.size() ? "250-" : "250 ") + lines[i] +
             (i + 1 < lines.size() ? "\r\n" : "");
    }
    return out;
  }

  template <class Stream>
  asio::awaitable<Outcome> converse(Stream& s, std::size_t index, bool secure, bool greet) {
    std::string buffer;
    std::size_t recipients = 0;  // accepted in the current transaction
    if (greet) {
      bool said = co_await say(s, script.greeting);
      if (!said) co_return Outcome::closed;
    }
    for (;;) {
      auto line = co_await read_line(s, buffer);
      if (!line) co_return Outcome::closed;
      record(index, *line);
      std::string reply = "500 5.5.2 unrecognized command";
      if (starts_with_ci(*line, "EHLO")) {
        reply = script.ehlo_supported ? ehlo_reply(secure) : "502 5.5.1 EHLO not implemented";
      } else if (starts_with_ci(*line, "HELO")) {
        reply = "250 relay.test";
      } else if (starts_with_ci(*line, "STARTTLS") && script.offer_starttls && !secure) {
        co_await say(s, "220 2.0.0 Ready to start TLS");
        co_return Outcome::upgrade;
      } else if (starts_with_ci(*line, "AUTH LOGIN")) {
        for (const char* prompt : {"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"}) {
          {
            bool said = co_await say(s, prompt);
            if (!said) co_return Outcome::closed;
          }
          auto answer = co_await read_line(s, buffer);
          if (!answer) co_return Outcome::closed;
          record(index, *answer);
        }
        reply = script.auth_reply;
      } else if (starts_with_ci(*line, "AUTH")) {
        reply = script.auth_reply;
      } else if (starts_with_ci(*line, "MAIL FROM:")) {
        reply = script.mail_reply;
        recipients = 0;
      } else if (starts_with_ci(*line, "RCPT TO:")) {
        if (script.max_recipients > 0 && recipients >= script.max_recipients) {
          reply = script.full_reply;
        } else {
          reply = script.rcpt_reply ? script.rcpt_reply(address_in(*line)) : "250 2.1.5 Ok";
          if (reply.rfind("2", 0) == 0) ++recipients;
        }
      } else if (starts_with_ci(*line, "DATA")) {
        {
          bool said = co_await say(s, script.data_reply);
          if (!said) co_return Outcome::closed;
        }
        if (script.data_reply.rfind("354", 0) != 0) continue;
        std::string message;
        for (;;) {
          auto data_line = co_await read_line(s, buffer, false);
          if (!data_line) co_return Outcome::closed;
          if (*data_line == ".") break;
          message += *data_line + "\r\n";
        }
        std::size_t n = 0;
        {
          std::lock_guard lock(mu);
          n = data.size();
          data.push_back(std::move(message));
        }
        if (script.hang_after_data) {
          asio::steady_timer forever(co_await asio::this_coro::executor,
                                     std::chrono::steady_clock::time_point::max());
          co_await forever.async_wait(kTuple);
          co_return Outcome::closed;
        }
        reply = script.final_reply_for ? script.final_reply_for(n) : script.final_reply;
        if (script.drop_after_message) {
          co_await say(s, reply);
          co_return Outcome::closed;
        }
      } else if (starts_with_ci(*line, "RSET") || starts_with_ci(*line, "NOOP")) {
        reply = "250 2.0.0 Ok";
      } else if (starts_with_ci(*line, "QUIT")) {
        co_await say(s, "221 2.0.0 Bye");
        co_return Outcome::closed;
      }
      {
        bool said = co_await say(s, reply);
        if (!said) co_return Outcome::closed;
      }
    }
  }

  asio::awaitable<void> session(tcp::socket socket, std::size_t index) {
    beast::tcp_stream plain(std::move(socket));
    bool greet = true;
    if (!script.implicit_tls) {
      auto outcome = co_await converse(plain, index, false, true);
      if (outcome == Outcome::closed) co_return;
      greet = false;  // STARTTLS: no second greeting
    }
    beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), *peer.tls());
    auto [ec] = co_await secure.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;
    co_await converse(secure, index, true, greet);
  }
};

ScriptedSmtpPeer::ScriptedSmtpPeer(SmtpPeerScript script)
    : impl_(std::make_unique<Impl>(std::move(script))) {
  impl_->peer.start([impl = impl_.get()](tcp::socket socket, std::size_t index) {
    asio::co_spawn(impl->peer.io(), impl->session(std::move(socket), index), asio::detached);
  });
}

ScriptedSmtpPeer::~ScriptedSmtpPeer() { impl_->peer.stop(); }

std::uint16_t ScriptedSmtpPeer::port() const { return impl_->peer.port(); }

std::vector<std::string> ScriptedSmtpPeer::commands() const {
  std::lock_guard lock(impl_->mu);
  return impl_->commands;
}

std::vector<std::string> ScriptedSmtpPeer::plain_commands() const {
  std::vector<std::string> out;
  for (const auto& c : commands()) out.push_back(c.substr(c.find(": ") + 2));
  return out;
}

std::vector<std::string> ScriptedSmtpPeer::data() const {
  std::lock_guard lock(impl_->mu);
  return impl_->data;
}

std::size_t ScriptedSmtpPeer::connections() const { return impl_->peer.accepted(); }

std::size_t ScriptedSmtpPeer::batched_reads() const {
  std::lock_guard lock(impl_->mu);
  return impl_->batched;
}

}  // namespace postern::providers::smtp::test
