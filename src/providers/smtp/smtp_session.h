// One client connection to an SMTP relay (internal to smtp/, includes Asio):
// the thin coroutine driver that writes commands and reads replies with a
// deadline on each, over plain TCP or TLS.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/message.h"
#include "net/tls_context.h"
#include "providers/smtp/smtp_outcome.h"
#include "providers/smtp/smtp_provider.h"

namespace postern::providers::smtp {

namespace asio = boost::asio;

// The envelope and the message of one transaction.
struct SmtpTransaction {
  const Envelope* envelope = nullptr;
  // The message as it is (not stuffed): stuffed a part at a time as DATA is
  // written, so that a big message is not held twice.
  std::string_view message;
  std::size_t message_size = 0;  // of the message before stuffing (SIZE=)
  bool eight_bit = false;        // any byte >= 0x80 (BODY=8BITMIME)
};

class SmtpSession {
 public:
  using Plain = boost::beast::tcp_stream;
  using Tls = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // Connects on the calling coroutine's executor and gets the session ready
  // for MAIL: greeting, EHLO (HELO when refused), STARTTLS + EHLO, AUTH.
  static asio::awaitable<std::unique_ptr<SmtpSession>> open(
      std::shared_ptr<const SmtpRelaySettings> settings, net::ClientTlsContext& tls,
      std::optional<SmtpFailure>& failure);

  // RSET (between messages) or NOOP (probe): true when the relay said 250.
  asio::awaitable<bool> reset();
  asio::awaitable<bool> noop();
  // Sends one message: one mail transaction (RFC 5321 §3.3), or, when the
  // relay answers "too many recipients" past some accepted ones (§4.5.3.1.10),
  // the accepted ones get the message and the rest go in the next
  // transaction, until none is left or one fails. MAIL and RCPT are
  // pipelined when the relay offers PIPELINING (RFC 2920); DATA follows only
  // once some recipient was accepted and none deferred, so no transaction
  // needs an aborted DATA phase.
  asio::awaitable<TransactionOutcome> transact(const SmtpTransaction& transaction);
  // QUIT, best effort; the connection is closed afterwards.
  asio::awaitable<void> quit();

  const Capabilities& capabilities() const { return capabilities_; }
  // False after any protocol or transport error: do not reuse.
  bool usable() const { return usable_; }
  asio::any_io_executor executor();

 private:
  SmtpSession(Plain stream, std::shared_ptr<const SmtpRelaySettings> settings);

  using Deadline = std::chrono::steady_clock::time_point;
  Deadline command_deadline() const;
  asio::awaitable<std::optional<SmtpFailure>> write(SmtpStage stage, std::string_view bytes,
                                                    Deadline deadline);
  // Reads one reply; nullopt (and `failure` set) on transport or format error.
  asio::awaitable<std::optional<SmtpReply>> read_reply(SmtpStage stage, Deadline deadline,
                                                       std::optional<SmtpFailure>& failure);
  // Writes `line` + CRLF, reads the reply.
  asio::awaitable<std::optional<SmtpReply>> command(SmtpStage stage, std::string_view line,
                                                    std::optional<SmtpFailure>& failure);
  // One transaction for at most `at_most` recipients from `first` on,
  // recorded in `out`. Answers where the next transaction starts: past the
  // last recipient after a failure (out.failure), else past the ones taken.
  asio::awaitable<std::size_t> transact_from(const SmtpTransaction& transaction,
                                             const std::string& mail, std::size_t first,
                                             std::size_t at_most, TransactionOutcome& out);
  asio::awaitable<std::optional<SmtpFailure>> hello();
  asio::awaitable<std::optional<SmtpFailure>> start_tls(net::ClientTlsContext& tls);
  asio::awaitable<std::optional<SmtpFailure>> authenticate();
  SmtpFailure lost(SmtpStage stage, const boost::system::error_code& ec);
  boost::beast::tcp_stream& tcp();

  std::variant<Plain, Tls> stream_;
  // Shared, not borrowed: a session may outlive its provider (QUIT on close).
  std::shared_ptr<const SmtpRelaySettings> settings_;
  std::string buffer_;  // bytes read past the last reply line
  Capabilities capabilities_;
  bool usable_ = true;
};

}  // namespace postern::providers::smtp
