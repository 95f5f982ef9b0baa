// SaslExchange: see sasl.h.
#include "smtp/sasl.h"

#include "core/base64.h"

namespace postern::smtp {
namespace {

using Kind = SaslExchange::Step::Kind;

// The LOGIN mechanism's customary prompts, "Username:" and "Password:".
constexpr std::string_view kUserPrompt = "VXNlcm5hbWU6";
constexpr std::string_view kPasswordPrompt = "UGFzc3dvcmQ6";

SaslExchange::Step step(Kind kind, std::string_view text = {}) { return {kind, std::string(text)}; }

}  // namespace

std::optional<SaslExchange::Mechanism> SaslExchange::mechanism(std::string_view name) {
  if (name == "PLAIN") return Mechanism::plain;
  if (name == "LOGIN") return Mechanism::login;
  return std::nullopt;
}

SaslExchange::Step SaslExchange::start(Mechanism mechanism,
                                       const std::optional<std::string>& initial) {
  credentials_ = {};
  expect_ = mechanism == Mechanism::plain ? Expect::plain_message : Expect::login_user;
  if (!initial) return step(Kind::challenge, mechanism == Mechanism::plain ? "" : kUserPrompt);
  return receive(*initial);
}

SaslExchange::Step SaslExchange::respond(std::string_view line) { return receive(line); }

SaslExchange::Step SaslExchange::receive(std::string_view encoded) {
  if (encoded == "*") return step(Kind::cancelled);
  std::optional<std::string> decoded = encoded == "=" ? std::string() : base64_decode(encoded);
  // base64_decode skips whitespace; a SASL line has none (RFC 4954 §4).
  if (!decoded || encoded.find_first_of(" \t") != std::string_view::npos)
    return step(Kind::bad_encoding);
  switch (expect_) {
    case Expect::plain_message: {
      // RFC 4616 §2: [authzid] NUL authcid NUL passwd. An authorization
      // identity other than the authentication identity is not supported.
      auto first = decoded->find('\0');
      auto second = first == std::string::npos ? first : decoded->find('\0', first + 1);
      if (second == std::string::npos || decoded->find('\0', second + 1) != std::string::npos) {
        return step(Kind::malformed);
      }
      auto authzid = decoded->substr(0, first);
      credentials_.user = decoded->substr(first + 1, second - first - 1);
      credentials_.password = decoded->substr(second + 1);
      if (credentials_.user.empty() || (!authzid.empty() && authzid != credentials_.user)) {
        return step(Kind::malformed);
      }
      return step(Kind::credentials);
    }
    case Expect::login_user:
      credentials_.user = std::move(*decoded);
      if (credentials_.user.empty()) return step(Kind::malformed);
      expect_ = Expect::login_password;
      return step(Kind::challenge, kPasswordPrompt);
    case Expect::login_password:
      credentials_.password = std::move(*decoded);
      return step(Kind::credentials);
  }
  return step(Kind::malformed);
}

}  // namespace postern::smtp
