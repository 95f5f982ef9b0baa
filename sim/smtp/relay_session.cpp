#include "sim/smtp/relay_session.h"

#include "smtp/parser/command.h"
#include "smtp/replies.h"

namespace postern::sim {

namespace {

using smtp::ReplyId;

RelaySession::Step reply(std::string text,
                         RelaySession::Action action = RelaySession::Action::reply) {
  return {std::move(text) + "\r\n", action};
}

}  // namespace

RelaySession::RelaySession(const RelaySettings& settings, const FaultState& faults)
    : settings_(settings), faults_(faults) {}

std::string RelaySession::greeting() const {
  return "220 " + settings_.hostname + " ESMTP postern-sim\r\n";
}

std::string RelaySession::queued_reply(std::string_view queue_id) {
  return "250 2.0.0 Ok: queued as " + std::string(queue_id) + "\r\n";
}

std::string RelaySession::fault_reply(int code) {
  if (code < 400) code = 451;
  switch (code) {
    case 421:
      return "421 4.3.2 Service not available, closing transmission channel\r\n";
    case 451:
      return "451 4.3.0 Error: queue file write error\r\n";
    case 452:
      return "452 4.3.1 Insufficient system storage\r\n";
    default:
      // RFC 3463: x.3.0, "other or undefined mail system status".
      return std::to_string(code) +
             (code < 500 ? " 4.3.0 Temporary failure" : " 5.3.0 Transaction failed") + "\r\n";
  }
}

void RelaySession::reset_transaction() {
  in_transaction_ = false;
  envelope_.mail_from.clear();
  envelope_.rcpt_to.clear();
  body_.reset();
  data_reader_ = {};
}

void RelaySession::tls_started() {
  tls_ = true;
  greeted_ = false;
  helo_.clear();
  auth_user_.clear();
  sasl_.reset();
  reset_transaction();
}

RelaySession::Step RelaySession::on_bad_line(LineEvent::Kind kind) {
  if (kind == LineEvent::Kind::too_long) return {smtp::format_reply(ReplyId::line_too_long)};
  // A bare CR or LF could make this server and a proxy in front disagree on
  // where a command ends (SMTP smuggling): refuse and hang up.
  return {smtp::format_reply(ReplyId::bare_newline_in_command), Action::close};
}

RelaySession::Step RelaySession::on_line(std::string_view line) {
  if (sasl_) return sasl_step(sasl_->respond(line));
  return command(line);
}

RelaySession::Step RelaySession::command(std::string_view line) {
  auto parsed = smtp::parse_command(line);
  if (!parsed) return {smtp::format_reply(parsed.error().reply, parsed.error().detail)};
  auto& c = *parsed;
  switch (c.verb) {
    case smtp::Verb::ehlo:
    case smtp::Verb::helo:
      return ehlo(c.argument, c.verb == smtp::Verb::ehlo);
    case smtp::Verb::starttls:
      if (!settings_.tls_available)
        return reply("454 4.7.0 TLS not available due to local problem");
      if (tls_) return reply("503 5.5.1 Error: TLS already active");
      return reply("220 2.0.0 Ready to start TLS", Action::start_tls);
    case smtp::Verb::auth:
      return auth(c.argument, c.initial_response);
    case smtp::Verb::mail:
      return mail(c.path, c.size);
    case smtp::Verb::rcpt:
      return rcpt(c.path);
    case smtp::Verb::data:
      return data();
    case smtp::Verb::rset:
      reset_transaction();
      return reply("250 2.0.0 Ok");
    case smtp::Verb::noop:
      return reply("250 2.0.0 Ok");
    case smtp::Verb::quit:
      return reply("221 2.0.0 Bye", Action::close);
    case smtp::Verb::vrfy:
      return reply("252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery");
    case smtp::Verb::help:
      return reply("214 2.0.0 postern-sim: see RFC 5321");
    case smtp::Verb::bdat:
    case smtp::Verb::count_:
      // CHUNKING is not offered; the chunk's bytes would read as commands.
      return reply("502 5.5.1 Error: command not implemented", Action::close);
  }
  return reply("500 5.5.1 Error: command not recognized");
}

RelaySession::Step RelaySession::ehlo(std::string_view domain, bool extended) {
  greeted_ = true;
  helo_ = std::string(domain);
  reset_transaction();
  if (!extended) return reply("250 " + settings_.hostname);
  std::string out = "250-" + settings_.hostname + " Hello " + helo_ + "\r\n";
  out += "250-PIPELINING\r\n";
  out += "250-SIZE " + std::to_string(settings_.max_message_bytes) + "\r\n";
  if (settings_.tls_available && !tls_) out += "250-STARTTLS\r\n";
  out += "250-AUTH PLAIN LOGIN\r\n";
  out += "250-ENHANCEDSTATUSCODES\r\n";
  out += "250-8BITMIME\r\n";
  out += "250 SMTPUTF8\r\n";
  return {out};
}

RelaySession::Step RelaySession::auth(std::string_view mechanism,
                                      const std::optional<std::string>& initial) {
  if (!greeted_) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (!auth_user_.empty()) return reply("503 5.5.1 Error: already authenticated");
  if (in_transaction_) return reply("503 5.5.1 Error: MAIL transaction in progress");
  auto m = smtp::SaslExchange::mechanism(mechanism);
  if (!m) return {smtp::format_reply(ReplyId::auth_mechanism_unsupported)};
  sasl_.emplace();
  return sasl_step(sasl_->start(*m, initial));
}

RelaySession::Step RelaySession::sasl_step(const smtp::SaslExchange::Step& step) {
  using Kind = smtp::SaslExchange::Step::Kind;
  switch (step.kind) {
    case Kind::challenge:
      return reply("334 " + step.text);
    case Kind::cancelled:
      sasl_.reset();
      return {smtp::format_reply(ReplyId::auth_cancelled)};
    case Kind::bad_encoding:
      sasl_.reset();
      return {smtp::format_reply(ReplyId::auth_bad_encoding)};
    case Kind::malformed:
      sasl_.reset();
      return reply("535 5.7.8 Authentication credentials invalid");
    case Kind::credentials:
      break;
  }
  auto credentials = std::move(sasl_->credentials());
  sasl_.reset();
  // With no configured user any credentials pass; auth_fail refuses all,
  // as if the password had been revoked (RFC 4954 §6: 535 5.7.8).
  bool good = settings_.user.empty() ||
              (credentials.user == settings_.user && credentials.password == settings_.password);
  if (!good || faults_.auth_failing()) return reply("535 5.7.8 Authentication credentials invalid");
  auth_user_ = credentials.user;
  return reply("235 2.7.0 Authentication successful");
}

RelaySession::Step RelaySession::mail(const std::string& path, std::optional<std::uint64_t> size) {
  if (!greeted_) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (auth_user_.empty() && (!settings_.user.empty() || faults_.auth_failing())) {
    return reply("530 5.7.0 Authentication required");
  }
  if (in_transaction_) return reply("503 5.5.1 Error: nested MAIL command");
  // RFC 1870 §6.1: refuse at once what the SIZE parameter says is too big.
  if (size && *size > settings_.max_message_bytes)
    return reply("552 5.3.4 Message size exceeds fixed message size limit");
  in_transaction_ = true;
  envelope_.mail_from = path;
  return reply("250 2.1.0 Ok");
}

RelaySession::Step RelaySession::rcpt(const std::string& path) {
  if (!in_transaction_) return reply("503 5.5.1 Error: need MAIL command");
  if (envelope_.rcpt_to.size() >= settings_.max_recipients)
    return reply("452 4.5.3 Error: too many recipients");
  // Per-recipient refusal (5.1.x is permanent for that
  // recipient only), as Postfix words it.
  if (faults_.rejects(path)) {
    return reply("550 5.1.1 <" + path +
                 ">: Recipient address rejected: User unknown in virtual mailbox table");
  }
  if (faults_.defers(path)) {
    return reply("450 4.2.0 <" + path +
                 ">: Recipient address rejected: Greylisted, try again later");
  }
  envelope_.rcpt_to.push_back(path);
  return reply("250 2.1.5 Ok");
}

RelaySession::Step RelaySession::data() {
  if (!in_transaction_) return reply("503 5.5.1 Error: need MAIL command");
  if (envelope_.rcpt_to.empty()) return reply("554 5.5.1 Error: no valid recipients");
  body_.emplace(settings_.max_message_bytes);
  data_reader_ = {};
  return reply("354 End data with <CR><LF>.<CR><LF>", Action::read_data);
}

smtp::DataReader::Progress RelaySession::feed_data(std::string_view input) {
  return data_reader_.feed(input, *body_);
}

std::variant<RelaySession::Message, RelaySession::Step> RelaySession::finish_data() {
  auto verdict = body_->verdict();
  std::variant<Message, Step> out;
  switch (verdict) {
    case smtp::BodyVerdict::ok: {
      Message m;
      m.envelope = envelope_;
      m.envelope.helo = helo_;
      m.envelope.auth_user = auth_user_;
      m.envelope.tls = tls_;
      m.content = body_->take_content();
      out = std::move(m);
      break;
    }
    case smtp::BodyVerdict::too_big:
      out = reply("552 5.3.4 Message size exceeds fixed message size limit");
      break;
    case smtp::BodyVerdict::bare_newline:
      out = Step{smtp::format_reply(ReplyId::bare_newline_in_data)};
      break;
    case smtp::BodyVerdict::line_too_long:
      out = Step{smtp::format_reply(ReplyId::data_line_too_long)};
      break;
    case smtp::BodyVerdict::over_budget:  // the relay charges no budget: never seen
      out = Step{smtp::format_reply(ReplyId::storage_full)};
      break;
  }
  reset_transaction();
  return out;
}

}  // namespace postern::sim
